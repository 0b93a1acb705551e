//! `RTCKIT_LOG`: what webrtc-rs and rtckit log, to stderr, for both bindings.
//!
//! aiortc users turn on `logging.DEBUG` to see ICE at work; webrtc-rs logs through the `log`
//! crate, which prints nothing until a logger is installed. The value is env_logger's
//! short form: a default level and per-module ones, e.g. `RTCKIT_LOG=info` or
//! `RTCKIT_LOG=warn,rtc_ice=trace,webrtc::peer_connection::transport=debug`. Unset or empty:
//! no logger, and logging costs one atomic load per call site.

use std::io::Write;

use log::{LevelFilter, Log, Metadata, Record};

#[derive(Debug)]
struct Filter {
    default: LevelFilter,
    /// (module path prefix, level), longest prefix first.
    modules: Vec<(String, LevelFilter)>,
}

impl Filter {
    fn parse(spec: &str) -> Result<Filter, String> {
        let mut filter = Filter { default: LevelFilter::Off, modules: Vec::new() };
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.split_once('=') {
                Some((module, level)) => filter.modules.push((module.trim().to_owned(), level_of(level)?)),
                None => match level_of(part) {
                    Ok(level) => filter.default = level,
                    // A bare module name turns everything of it on, as env_logger does.
                    Err(_) => filter.modules.push((part.to_owned(), LevelFilter::Trace)),
                },
            }
        }
        filter.modules.sort_by_key(|(module, _)| std::cmp::Reverse(module.len()));
        Ok(filter)
    }

    fn level_for(&self, target: &str) -> LevelFilter {
        self.modules
            .iter()
            .find(|(module, _)| {
                target.starts_with(module.as_str()) && matches!(target.as_bytes().get(module.len()), None | Some(b':'))
            })
            .map_or(self.default, |(_, level)| *level)
    }

    fn max(&self) -> LevelFilter {
        self.modules.iter().map(|(_, level)| *level).fold(self.default, |a, b| a.max(b))
    }
}

fn level_of(word: &str) -> Result<LevelFilter, String> {
    word.trim().parse().map_err(|_| format!("{word:?} is not a log level (off, error, warn, info, debug, trace)"))
}

struct StderrLogger(Filter);

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= self.0.level_for(metadata.target())
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            let elapsed = start().elapsed();
            // One write per line, so lines of two threads never interleave.
            let line = format!(
                "[{:>4}.{:03} {:<5} {}] {}\n",
                elapsed.as_secs(),
                elapsed.subsec_millis(),
                record.level(),
                record.target(),
                record.args()
            );
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
        }
    }

    fn flush(&self) {}
}

fn start() -> std::time::Instant {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *START.get_or_init(std::time::Instant::now)
}

/// Installs the logger `RTCKIT_LOG` asks for, once per process. A value that does not parse
/// is reported on stderr and ignored: a typo in a debugging switch must not stop the program.
pub fn init_from_env() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(spec) = std::env::var("RTCKIT_LOG") else { return };
        if spec.trim().is_empty() {
            return;
        }
        match Filter::parse(&spec) {
            Ok(filter) => {
                let max = filter.max();
                start();
                // Fails only if the host process installed a logger of its own: keep theirs.
                // Leaked once: the logger lives as long as the process.
                if log::set_logger(Box::leak(Box::new(StderrLogger(filter)))).is_ok() {
                    log::set_max_level(max);
                }
            }
            Err(err) => eprintln!("rtckit: RTCKIT_LOG ignored: {err}"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_sets_a_default_and_per_module_levels() {
        let filter = Filter::parse("warn, rtc_ice=trace ,webrtc::peer_connection=debug").unwrap();
        assert_eq!(filter.level_for("rtc_ice::agent"), LevelFilter::Trace);
        assert_eq!(filter.level_for("rtc_ice"), LevelFilter::Trace);
        assert_eq!(filter.level_for("rtc_ice_other"), LevelFilter::Warn, "a prefix ends at ::");
        assert_eq!(filter.level_for("webrtc::peer_connection::driver"), LevelFilter::Debug);
        assert_eq!(filter.level_for("webrtc::data_channel"), LevelFilter::Warn);
        assert_eq!(filter.max(), LevelFilter::Trace);
    }

    #[test]
    fn a_bare_module_turns_it_all_on_and_a_bad_level_is_an_error() {
        let filter = Filter::parse("rtc_sctp").unwrap();
        assert_eq!((filter.default, filter.level_for("rtc_sctp::association")), (LevelFilter::Off, LevelFilter::Trace));
        assert!(Filter::parse("rtc_ice=loud").unwrap_err().contains("\"loud\""));
    }
}
