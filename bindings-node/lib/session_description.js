'use strict';

const TYPES = ['offer', 'pranswer', 'answer', 'rollback'];

class RTCSessionDescription {
  constructor(init = {}) {
    if (!TYPES.includes(init.type)) {
      throw new TypeError(`description type must be one of ${TYPES.join(', ')}, not ${JSON.stringify(init.type)}`);
    }
    this.type = init.type;
    this.sdp = init.sdp == null ? '' : String(init.sdp);
  }

  toJSON() {
    return { type: this.type, sdp: this.sdp };
  }
}

/** {type, sdp} for the addon, from a description or a plain object. */
function toInit(description) {
  if (description == null || typeof description !== 'object') {
    throw new TypeError('a description must be an object with type and sdp');
  }
  if (typeof description.type !== 'string') throw new TypeError('a description needs a string type');
  return { type: description.type, sdp: description.sdp == null ? '' : String(description.sdp) };
}

module.exports = { RTCSessionDescription, toInit };
