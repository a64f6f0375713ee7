"""orderbridge: TD SYNNEX order status into Autotask purchase orders."""

__version__ = "0.1.0"
