"""kube-serverless Python runtime: runs one function behind Flask and gunicorn.

See runtimes/python/README.md for the handler forms and docs/runtime-contract.md
for the contract shared with the Node and Go runtimes.
"""

__version__ = "0.1.0"
