"""The process an import file's batches are prepared in: `python -m` this module (see `apart`).

A module of its own, imported by nothing: run as `__main__`, it takes `serve`
from `apart` under that module's own name, so what it sends is unpickled as
the same classes in the importing process.
"""

from maysend.ledger.importers.apart import serve

if __name__ == "__main__":
    serve()
