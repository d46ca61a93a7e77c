"""Names vulture (dead-code search, .ci/run) cannot see being used: hooks that a framework
calls by name, and parameters a signature must have. Keep this list short; a name belongs
here only if it is used from outside our code."""

# click commands: registered by their decorators
serve  # reconciler/cli/
demo  # reconciler/cli/
show  # reconciler/cli/

# signal handlers and context managers take these whether or not they read them
frame, signum, exc_type, tb  # noqa: B018

# Python calls a module's __getattr__ for a missing attribute (reconciler/__init__.py)
__getattr__  # noqa: B018

# pydantic reads model_config
model_config  # noqa: B018

# http.server / socketserver hooks and switches (reconciler/sandbox/server.py)
daemon_threads, allow_reuse_address, protocol_version, server_version  # noqa: B018
disable_nagle_algorithm, do_DELETE, do_PATCH, do_POST, do_PUT  # noqa: B018
_.close_connection  # noqa: B018
_.log_message  # noqa: B018

# requests' transport adapter interface (tests/emulated.py)
_.send  # noqa: B018
stream, cert, verify, proxies  # noqa: B018
_._content  # noqa: B018
_.encoding  # noqa: B018

# pytest reads pytestmark, and runs autouse fixtures by themselves
pytestmark  # noqa: B018
_in_a_scratch_directory  # noqa: B018
