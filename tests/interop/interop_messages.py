"""The messages every Python interop test sends one way and then the other (the Node interop
tests have the same list in helpers.mjs): order and type (str vs bytes) must survive."""

BIG = bytes((i * 7 + 3) % 256 for i in range(60000))
MESSAGES: list = [
    "hello from the sender",
    b"\x00\x01\x02\xfe\xff",
    "",
    b"",
    "unicode: h\u00e9llo w\u00f6rld \u2713 \U0001f680",
    BIG,
    "x" * 60000,
    "last",
]


def check_received(got: list, sent: list) -> None:
    assert len(got) == len(sent)
    for i, (g, s) in enumerate(zip(got, sent)):
        assert type(g) is type(s), f"message {i}: sent {type(s).__name__}, got {type(g).__name__}"
        assert g == s, f"message {i} ({type(s).__name__}, {len(s)} long) differs"
