"""仓库自己的共享代码：客户端工厂（`shared.factory`）、配置（`shared.config`）和内置模拟模型（`shared.mock`）。

这里故意不导入任何东西，`import shared` 不会拖慢脚本启动。
"""
