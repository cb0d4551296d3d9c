"""The nats CLI's environment conventions, so the course runs on your own NATS.

Whoever already uses the ``nats`` command has these variables set; gym reads the same ones,
with the same meaning, for the server named by ``NATS_URL`` (never for the servers gym
starts itself, which need none of them):

=================  ==========================================================================
``NATS_URL``       one server or a comma-separated list (``nats://a:4222,nats://b:4222``)
``NATS_USER``      user name, with ``NATS_PASSWORD``; alone, a token (as in the nats CLI)
``NATS_CREDS``     a credentials file (a user JWT and its nkey seed, from ``nsc`` or a provider)
``NATS_NKEY``      a file holding a user nkey seed (``SU…``)
``NATS_CA``        the CA file that signed the server's TLS certificate
``NATS_CERT``      with ``NATS_KEY``: this client's certificate and key (mutual TLS)
=================  ==========================================================================

Why the sentences below exist: when a first connection fails, nats-py retries for about two
minutes by default and then raises ``NoServersError``, which names neither the server nor
the cause; the server's own words ("Authorization Violation") only reach ``error_cb``. gym
probes once without retrying and turns what went wrong into one sentence that says which
variable to fix.
"""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "CREDENTIAL_VARIABLES",
    "EnvironmentProblem",
    "connect_options",
    "credentials_source",
    "explain_failure",
    "addresses",
    "is_environment_server",
    "is_environment_url",
    "quiet_tls_close_warning",
    "redact",
    "server_list",
    "tls_context",
]

CREDENTIAL_VARIABLES = (
    "NATS_USER",
    "NATS_PASSWORD",
    "NATS_CREDS",
    "NATS_NKEY",
    "NATS_CA",
    "NATS_CERT",
    "NATS_KEY",
)
"""Every variable besides NATS_URL and NATS_MONITOR_URL that changes how gym connects."""


class EnvironmentProblem(ValueError):
    """A NATS_* variable cannot be used as it is (a missing file, a half pair)."""


def server_list(url: str) -> list[str]:
    """``NATS_URL``'s servers: a comma-separated list, spaces allowed, ``nats://`` implied."""
    servers = []
    for part in url.split(","):
        part = part.strip()
        if part:
            servers.append(part if "://" in part else f"nats://{part}")
    return servers


def redact(url: str) -> str:
    """The URL list with any password (or token) in it replaced by ``***``, for messages."""
    shown = []
    for server in server_list(url) or [url]:
        parts = urlsplit(server)
        if parts.password or (parts.username and not parts.password):
            user = f"{parts.username}:***" if parts.password else "***"
            netloc = f"{user}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
            server = urlunsplit(parts._replace(netloc=netloc))
        shown.append(server)
    return ",".join(shown)


def addresses(url: str) -> list[tuple[str | None, int]]:
    """``(host, port)`` of each server in the URL list (port 4222 when none is written)."""
    return [(urlsplit(s).hostname, urlsplit(s).port or 4222) for s in server_list(url)]


def is_environment_url(url: str, environ: Mapping[str, str] = os.environ) -> bool:
    """True when ``url`` names the same servers as ``NATS_URL``: its credentials apply."""
    configured = environ.get("NATS_URL", "")
    return bool(configured) and addresses(url) == addresses(configured)


def is_environment_server(host: str, port: int, environ: Mapping[str, str] = os.environ) -> bool:
    """True when ``host:port`` is one of ``NATS_URL``'s servers."""
    return (host, port) in addresses(environ.get("NATS_URL", ""))


def _file(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name)
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        raise EnvironmentProblem(
            f"{name} is set to {value}, which is not a file: point it at the file or unset it."
        )
    return str(path)


def tls_context(environ: Mapping[str, str] = os.environ) -> ssl.SSLContext | None:
    """A TLS context from ``NATS_CA``, ``NATS_CERT`` and ``NATS_KEY``; None if none is set.

    The CA is added to the system's trusted CAs (as the nats CLI does), so a server with a
    public certificate still verifies. A certificate without its key (or the reverse) is
    refused here, in a sentence, rather than by the TLS handshake.
    """
    ca, cert, key = (_file(environ, n) for n in ("NATS_CA", "NATS_CERT", "NATS_KEY"))
    if not (ca or cert or key):
        return None
    if bool(cert) != bool(key):
        missing = "NATS_KEY" if cert else "NATS_CERT"
        raise EnvironmentProblem(
            f"NATS_CERT and NATS_KEY go together (a client certificate and its key), "
            f"but {missing} is not set."
        )
    context = ssl.create_default_context()
    if ca:
        context.load_verify_locations(cafile=ca)
    if cert and key:
        try:
            context.load_cert_chain(cert, key)
        except ssl.SSLError as error:
            raise EnvironmentProblem(
                f"NATS_CERT ({cert}) and NATS_KEY ({key}) are not a certificate and its "
                f"matching key: {error.reason or error}."
            ) from None
    quiet_tls_close_warning()
    return context


def connect_options(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """nats-py ``connect`` options (credentials, TLS) from the environment's NATS_* variables."""
    options: dict[str, Any] = {}
    user, password = environ.get("NATS_USER"), environ.get("NATS_PASSWORD")
    if user and password:
        options.update(user=user, password=password)
    elif user:
        options["token"] = user  # the nats CLI's --user is "username or token"
    elif password:
        raise EnvironmentProblem("NATS_PASSWORD is set but NATS_USER is not: set both.")
    creds = _file(environ, "NATS_CREDS")
    if creds:
        options["user_credentials"] = creds
    nkey = _file(environ, "NATS_NKEY")
    if nkey:
        options["nkeys_seed"] = nkey
    context = tls_context(environ)
    if context is not None:
        options["tls"] = context
    return options


def credentials_source(
    url: str, options: Mapping[str, Any], *, from_environment: bool = True
) -> str:
    """In words, which credentials a connection presents (and from which variable), for
    messages; ``""`` when it presents none."""

    def named(words: str, variables: str) -> str:
        return f"{words} ({variables})" if from_environment else words

    if options.get("user_credentials"):
        return named(f"the credentials file {options['user_credentials']}", "NATS_CREDS")
    if options.get("nkeys_seed") or options.get("nkeys_seed_str"):
        return named("an nkey seed", "NATS_NKEY")
    if options.get("user"):
        return named(f"user {options['user']!r} and its password", "NATS_USER, NATS_PASSWORD")
    if options.get("token"):
        return named("a token", "NATS_USER without NATS_PASSWORD")
    if any(urlsplit(s).username for s in server_list(url)):
        return "the user and password written in NATS_URL"
    return ""


def _server_words(error: BaseException) -> str:
    """What the server said, without nats-py's ``nats: '…'`` wrapping."""
    return str(error).removeprefix("nats: ").strip().strip("'\"")


def explain_failure(
    error: BaseException, url: str, options: Mapping[str, Any], *, from_environment: bool = True
) -> str:
    """One sentence: why the first connection to ``url`` failed, and what to fix.

    ``from_environment``: the options came from the NATS_* variables, so the sentence names
    the variable to fix; otherwise it names the option.
    """
    shown = redact(url)
    words = _server_words(error)
    if "authorization violation" in words.lower() or "authentication" in words.lower():
        source = (
            credentials_source(url, options, from_environment=from_environment)
            or "a connection without credentials"
        )
        if "NATS_URL" in source:
            fix = "check the user and password in NATS_URL."
        elif from_environment:
            fix = (
                "check NATS_USER and NATS_PASSWORD, NATS_CREDS or NATS_NKEY "
                "(the variables the nats CLI reads too)."
            )
        else:
            fix = "check the credentials passed to connect."
        return f'The NATS server at {shown} refused {source} with "{words}": {fix}'
    if isinstance(error, ssl.SSLCertVerificationError):
        why = error.verify_message or words
        if not from_environment:
            fix = "pass tls=ssl.create_default_context(cafile=<the CA that signed it>)."
        elif options.get("tls") is not None and os.environ.get("NATS_CA"):
            fix = "NATS_CA does not hold the CA that signed it."
        else:
            fix = "set NATS_CA to the file of the CA that signed it."
        return (
            f"The NATS server at {shown} requires TLS, and its certificate could not be "
            f"verified ({why}): {fix}"
        )
    if isinstance(error, ssl.SSLError):
        reason = (error.reason or words).replace("_", " ").lower()
        return (
            f"The NATS server at {shown} refused the TLS handshake ({reason}): it wants a "
            f"client certificate signed by a CA it trusts; {_cert_fix(from_environment)}"
        )
    if isinstance(error, ConnectionResetError | BrokenPipeError | ConnectionAbortedError) and (
        options.get("tls") is not None or any(s.startswith("tls://") for s in server_list(url))
    ):
        return (
            f"The NATS server at {shown} closed the connection during the TLS handshake "
            f"({words}): it probably requires a client certificate (mutual TLS); "
            f"{_cert_fix(from_environment)}"
        )
    return (
        f"No NATS server answered at {shown} ({type(error).__name__}: {words or 'no reason'}). "
        "Start one with `gym server start` and export the NATS_URL it prints, "
        "or unset NATS_URL to let gym start its own."
    )


def _cert_fix(from_environment: bool) -> str:
    if from_environment:
        return "set NATS_CERT and NATS_KEY to yours."
    return "load yours into the TLS context (context.load_cert_chain(cert, key))."


class _TlsCloseWarning(logging.Filter):
    """Drop asyncio's "returning true from eof_received() has no effect when using ssl".

    nats-py upgrades a plain socket to TLS in place (``loop.start_tls``) after the server's
    INFO, so asyncio's stream protocol never learns it runs over TLS and logs this warning
    on every close of a TLS connection. It says nothing about the connection; a learner
    would only wonder what went wrong.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "eof_received() has no effect when using ssl" not in record.getMessage()


_FILTER = _TlsCloseWarning()


def quiet_tls_close_warning() -> None:
    """Install the filter above on asyncio's logger (once)."""
    logger = logging.getLogger("asyncio")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
