"""A microphone and a speaker with no sound card, for the tests of rtckit's real audio path
(cpal, then alsa-lib): ALSA's own `file` plugin reads the microphone from a FIFO and writes
the speaker into another, and this script is the "hardware" at their other ends, in real
time: it plays a 440 Hz tone into the microphone and records the speaker into speaker.raw.

    python3 fake_alsa.py DIR     # prints READY, runs until its stdin closes

Point ALSA_CONFIG_PATH at DIR/asound.conf before the process under test first uses ALSA.
Devices: alsa:rtckit_mic, alsa:rtckit_speaker (48 kHz mono s16 behind a `plug`, which
converts to whatever the caller opens them with), and alsa:rtckit_broken, which cannot be
opened (a sound card that is not there).
"""

import math
import os
import struct
import sys
import threading
import time

RATE = 48000
CHUNK = RATE // 100  # 10 ms

CONF = """</usr/share/alsa/alsa.conf>
pcm.rtckit_mic {{
  type plug
  slave {{ pcm "rtckit_mic_file"; format S16_LE; rate 48000; channels 1 }}
  hint {{ show on; description "rtckit test microphone" }}
}}
pcm.rtckit_mic_file {{
  type file
  slave.pcm "null"
  file "/dev/null"
  infile "{dir}/mic.fifo"
  format "raw"
}}
pcm.rtckit_speaker {{
  type plug
  slave {{ pcm "rtckit_speaker_file"; format S16_LE; rate 48000; channels 1 }}
  hint {{ show on; description "rtckit test speaker" }}
}}
pcm.rtckit_speaker_file {{
  type file
  slave.pcm "null"
  file "{dir}/speaker.fifo"
  format "raw"
}}
pcm.rtckit_broken {{
  type hw
  card 99
  hint {{ show on; description "rtckit test device that cannot be opened" }}
}}
"""


def paced(step):
    """Calls step(n) every 10 ms, n counting chunks, until it returns False."""
    start, n = time.monotonic(), 0
    while step(n):
        n += 1
        time.sleep(max(0.0, start + n * CHUNK / RATE - time.monotonic()))


def play_tone(fd):
    def step(n):
        samples = (int(8000 * math.sin(2 * math.pi * 440 * (n * CHUNK + i) / RATE)) for i in range(CHUNK))
        os.write(fd, struct.pack(f"<{CHUNK}h", *samples))
        return True

    paced(step)


def record(fd, out):
    # The FIFO is read at the speaker's pace; what ALSA has not written yet is silence.
    os.set_blocking(fd, False)

    def step(_):
        try:
            data = os.read(fd, CHUNK * 2)
        except BlockingIOError:
            data = b""
        out.write(data + bytes(CHUNK * 2 - len(data)))
        out.flush()
        return True

    paced(step)


def main():
    folder = os.path.abspath(sys.argv[1])
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "asound.conf"), "w") as f:
        f.write(CONF.format(dir=folder))
    for name in ("mic.fifo", "speaker.fifo"):
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            os.mkfifo(path)
    # Held open both ways, so ALSA's opens never wait for a peer.
    mic = os.open(os.path.join(folder, "mic.fifo"), os.O_RDWR)
    speaker = os.open(os.path.join(folder, "speaker.fifo"), os.O_RDWR)
    out = open(os.path.join(folder, "speaker.raw"), "wb")
    for target, args in ((play_tone, (mic,)), (record, (speaker, out))):
        threading.Thread(target=target, args=args, daemon=True).start()
    print("READY", flush=True)
    sys.stdin.read()  # until the test ends
    # A device the test still has open when this ends would see its FIFO break, which
    # alsa-lib's file plugin does not survive: give streams being closed time to close.
    time.sleep(1.0)


if __name__ == "__main__":
    main()
