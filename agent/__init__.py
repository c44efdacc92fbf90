"""duizhao：起草与检查个人对照检查材料。"""

__version__ = "0.1.0"

__all__ = ["__version__"]
