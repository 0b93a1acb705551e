'use strict';
// getStats' report: a Map of id to W3C stats object, as browsers give (RTCStatsReport is
// maplike there: get, has, forEach, keys, values, entries, size).

class RTCStatsReport extends Map {
  static _fromJson(text) {
    const report = new RTCStatsReport();
    for (const stats of JSON.parse(text)) report.set(stats.id, stats);
    return report;
  }
}

module.exports = { RTCStatsReport };
