"""aiortc's ``contrib`` helpers on rtckit: ``rtckit.contrib.signaling`` and
``rtckit.contrib.media``, so aiortc examples run after swapping their imports."""
