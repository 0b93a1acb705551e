"""aiortc.sdp's candidate helpers, for code that imports them from there (signaling that
carries candidates as SDP attribute values, as browsers' trickle ICE does)."""

from .ice_candidate import candidate_from_sdp, candidate_to_sdp

__all__ = ["candidate_from_sdp", "candidate_to_sdp"]
