"""An in-process host for OPA policies compiled to wasm, on wasmtime: `load(path).eval(...)`.

bundle.py reads and compiles a bundle, abi.py instantiates the module and speaks its ABI,
fastcall.py calls `opa_eval`, builtins.py holds the builtins the host supplies, and host.py
puts them together. Importing this package imports wasmtime (about 20 ms).
"""

from app.platform.authz.opa.abi import PolicyEvalError
from app.platform.authz.opa.bundle import PolicyLoadError
from app.platform.authz.opa.host import OpaPolicy

load = OpaPolicy.load

__all__ = ["OpaPolicy", "PolicyEvalError", "PolicyLoadError", "load"]
