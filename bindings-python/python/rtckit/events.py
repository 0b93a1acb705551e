"""Events in Python: aiortc-style ``on()`` listeners and ``onX`` attributes, fed by a pump
that pulls batches of core events while an asyncio loop runs."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Callable, Optional

from . import _native

Handler = Callable[..., Any]


class EventEmitter:
    """``obj.on("event")`` as a decorator or ``obj.on("event", fn)``; sync or async
    handlers; an ``on<event>`` attribute is called too."""

    def __init__(self) -> None:
        self._listeners: dict[str, list[tuple[Handler, bool]]] = {}

    def on(self, event: str, handler: Optional[Handler] = None) -> Any:
        if handler is None:
            def decorator(fn: Handler) -> Handler:
                self._add(event, fn, False)
                return fn

            return decorator
        self._add(event, handler, False)
        return handler

    def once(self, event: str, handler: Optional[Handler] = None) -> Any:
        if handler is None:
            def decorator(fn: Handler) -> Handler:
                self._add(event, fn, True)
                return fn

            return decorator
        self._add(event, handler, True)
        return handler

    def add_listener(self, event: str, handler: Handler) -> None:
        self._add(event, handler, False)

    def remove_listener(self, event: str, handler: Handler) -> None:
        entries = self._listeners.get(event, [])
        for i, (fn, _) in enumerate(entries):
            if fn is handler:
                del entries[i]
                return

    off = remove_listener

    def remove_all_listeners(self, event: Optional[str] = None) -> None:
        if event is None:
            self._listeners.clear()
        else:
            self._listeners.pop(event, None)

    def listeners(self, event: str) -> list[Handler]:
        return [fn for fn, _ in self._listeners.get(event, [])]

    def _add(self, event: str, handler: Handler, once: bool) -> None:
        if not callable(handler):
            raise TypeError(f"the handler for {event!r} must be callable")
        self._listeners.setdefault(event, []).append((handler, once))
        self._on_listener_added()

    def _on_listener_added(self) -> None:
        """Hook: objects start their pump once somebody listens inside a running loop."""

    def emit(self, event: str, *args: Any) -> bool:
        handlers: list[Handler] = []
        attribute = getattr(self, "on" + event, None)
        if attribute is not None:
            handlers.append(attribute)
        entries = self._listeners.get(event)
        if entries:
            handlers.extend(fn for fn, _ in entries)
            self._listeners[event] = [(fn, once) for fn, once in entries if not once]
        for handler in handlers:
            _call(handler, event, args)
        return bool(handlers)


def _call(handler: Handler, event: str, args: tuple) -> None:
    try:
        result = handler(*args)
    except Exception as exc:  # a handler's error must not stop the event stream
        _report(exc, f"an exception in a {event!r} handler")
        return
    if inspect.isawaitable(result):
        task = asyncio.ensure_future(result)
        task.add_done_callback(lambda t: _done(t, event))


def _done(task: "asyncio.Future[Any]", event: str) -> None:
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        _report(exc, f"an exception in an async {event!r} handler")


def _report(exc: BaseException, message: str) -> None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        raise exc
    loop.call_exception_handler({"message": message, "exception": exc})


class _Hub:
    """Delivers every rtckit object's events on the running asyncio loop.

    The native side writes a byte to one socket when objects have events waiting (no
    runtime thread ever takes the GIL); the loop watches that socket, takes the keys of the
    ready objects and their events, and dispatches them in order.
    """

    def __init__(self) -> None:
        self._targets: dict[int, Any] = {}
        self._next_key = 1
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._watcher: Optional[asyncio.Task] = None  # where the loop has no add_reader

    def register(self, target: Any) -> None:
        """Starts delivering `target`'s events (it has `_native` and `_dispatch`)."""
        key = self._next_key
        self._next_key += 1
        self._targets[key] = target
        target._hub_key = key
        target._native.listen(key)
        self.attach()

    def deliver(self, target: Any) -> None:
        """Dispatches `target`'s waiting events now, in order (a method whose events W3C
        fires before its promise resolves calls it before returning)."""
        events, ended = target._native.take_events()
        if ended:
            self._targets.pop(getattr(target, "_hub_key", 0), None)
        for name, value in events:
            target._dispatch(name, value)

    def attach(self) -> None:
        """Watches the socket from the running loop, if any (a later asyncio.run too)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if loop is self._loop:
            return
        self._loop = loop
        try:
            loop.add_reader(_native.hub_fd(), self._ready)
        except NotImplementedError:
            # Windows' default (proactor) loop watches no descriptor: a task reads the wakes.
            self._watcher = loop.create_task(self._watch(loop))
        loop.call_soon(self._ready)  # events that arrived while no loop watched

    async def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        import socket

        # Borrowed from the native side, never closed here (detached on the way out).
        wakes = socket.socket(fileno=_native.hub_fd())
        try:
            while not loop.is_closed():
                await loop.sock_recv(wakes, 256)
                self._ready()
        finally:
            wakes.detach()

    def _ready(self) -> None:
        for key in _native.hub_take():
            target = self._targets.get(key)
            if target is None:
                continue
            events, ended = target._native.take_events()
            if ended:
                del self._targets[key]
            for name, value in events:
                target._dispatch(name, value)


hub = _Hub()
