"""An HTTP client for the SDKs whose timeout bounds the whole request, body included.

httpx's read timeout bounds each read: a server trickling its body a byte at a time would
hold a call for ever. This transport checks the request's own timeout as a deadline while
the body streams in, and fails with the ReadTimeout the SDKs map to APITimeoutError.
`httpx2` is imported inside the function only: it comes with the SDK, and is as slow to load.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx2


def deadline_client() -> httpx2.Client:
    """A client whose requests fail once their timeout has passed, however the body comes."""
    import httpx2

    class DeadlineStream(httpx2.SyncByteStream):
        def __init__(self, inner: Any, deadline: float, request: httpx2.Request) -> None:
            self._inner = inner
            self._deadline = deadline
            self._request = request

        def __iter__(self) -> Iterator[bytes]:
            for chunk in self._inner:
                if time.monotonic() > self._deadline:
                    raise httpx2.ReadTimeout("response too slow", request=self._request)
                yield chunk

        def close(self) -> None:
            self._inner.close()

    class DeadlineTransport(httpx2.BaseTransport):
        def __init__(self) -> None:
            self._inner = httpx2.HTTPTransport(
                limits=httpx2.Limits(max_connections=64, max_keepalive_connections=16)
            )

        def handle_request(self, request: httpx2.Request) -> httpx2.Response:
            budget = (request.extensions.get("timeout") or {}).get("read")
            started = time.monotonic()
            response = self._inner.handle_request(request)
            if not budget:
                return response
            deadline = started + float(budget)
            return httpx2.Response(
                response.status_code,
                headers=response.headers,
                stream=DeadlineStream(response.stream, deadline, request),
                extensions=response.extensions,
            )

        def close(self) -> None:
            self._inner.close()

    return httpx2.Client(transport=DeadlineTransport(), follow_redirects=True)
