"""A cheap liveness probe of the API server beside the watches.

A watch blocked reading from a hung API server reports ``live`` until its read times out, and on a real cluster
that is long: the server sends a BOOKMARK only about once a minute (docs/domain/kubernetes-client.md#watches), so
the watch cannot learn a short silence limit. ``ServerProbe`` asks ``GET /version`` every ``every`` seconds
(``timeout`` to answer) and records the outcome in the ``ClusterState`` as the pseudo-watch ``server``: a
failure shows as ``reconnecting`` with the reason within ``every + timeout`` seconds, an answer as ``live``.
"""

from __future__ import annotations

import threading
from typing import Any

from raywizard.kube.state import ClusterState

PROBE_EVERY = 3.0
PROBE_TIMEOUT = 2.5
SERVER = "server"


def probe_once(api_client: Any, server: str, timeout: float = PROBE_TIMEOUT) -> str | None:
    """``None`` when the API server answers ``GET /version`` within ``timeout`` seconds, else why not. A 401 or
    403 is an answer (the watches report credentials problems themselves).

    The request goes through the client's own connection pool (its TLS settings and credentials) but without
    urllib3's retries: the generated API methods retry a timed-out GET three times, which would stretch a
    2.5 s probe to 10 s."""
    import urllib3

    rest_client = getattr(api_client, "rest_client", None)
    if rest_client is None:  # not a kubernetes ApiClient: nothing to ask
        return None
    configuration = api_client.configuration
    headers: dict[str, str] = {"Accept": "application/json"}
    where = server or "the API server"
    try:
        api_client.update_params_for_auth(headers, [], ["BearerToken"], "/version", "GET", None)
        response = rest_client.pool_manager.request(
            "GET",
            f"{str(configuration.host).rstrip('/')}/version",
            headers=headers,
            timeout=urllib3.Timeout(total=timeout),
            retries=False,
        )
    except urllib3.exceptions.TimeoutError:
        return f"the API server at {where} did not answer within {timeout:g}s"
    except Exception:
        return f"cannot reach the API server at {where}"
    if response.status >= 500:
        return f"the API server at {where} answered {response.status}"
    return None


class ServerProbe:
    def __init__(
        self,
        api_client: Any,
        state: ClusterState,
        *,
        server: str = "",
        every: float = PROBE_EVERY,
        timeout: float = PROBE_TIMEOUT,
    ) -> None:
        self.api_client = api_client
        self.state = state
        self.server = server
        self.every = every
        self.timeout = timeout
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="api-server-probe", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        failing = False
        while not self._stop.wait(self.every):
            failure = probe_once(self.api_client, self.server, self.timeout)
            if self._stop.is_set():
                return
            if failure is not None:
                failing = True
                self.state.set_connection(SERVER, "reconnecting", failure)
            elif failing:
                failing = False
                self.state.set_connection(SERVER, "live")
