//! Which window each line of the prediction log belongs to, and which windows are due
//! to close: [`Tracker`].
//!
//! The tracker sees the log's bytes in file order, once at start (the whole file) and
//! then each append as the server writes it (under the log's lock, so the order is the
//! file's). A line's window is a pure function of the line and the log's start, so a
//! restarted server assigns every line to the same window as one that never stopped:
//!
//! - by rows (`--window N`): line `i` (0-based, blank lines not counted, as the CLI's
//!   reader skips them) is in window `i / N`, as `monitor --window N` cuts the log;
//! - by time (`--every D`): a line stamped `t` is in window `(t - t0) / D`, `t0` the
//!   first stamped line's time (the CLI takes the earliest; the server writes them in
//!   order). A line without a readable `timestamp` is in no window (`untimed`).
//!
//! The tracker keeps no lines, only each window's byte range in the file (from its first
//! line's start to its last line's end), so memory grows with windows, not rows; a
//! window's lines are read back from the file when it is evaluated.

use std::collections::BTreeMap;

use serde::Deserialize;

/// How the log is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Windows of this many lines.
    Rows(usize),
    /// Windows of `span` seconds from the first line's time; a window is due `grace`
    /// seconds after it ends (rows are logged after they are stamped).
    Every {
        /// Seconds per window.
        span: i64,
        /// Seconds to wait after a window's end before closing it.
        grace: i64,
    },
}

/// Where one window's lines are in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Byte offset of its first line.
    pub first: u64,
    /// Byte offset just past its last line.
    pub end: u64,
    /// 1-based log line number of its first line.
    pub first_line: usize,
    /// Its lines.
    pub lines: usize,
}

/// The window state of the log (see the module doc).
#[derive(Debug, Clone)]
pub struct Tracker {
    cut: Cut,
    /// First stamped line's time (time windows).
    t0: Option<i64>,
    /// Non-blank lines seen.
    lines: usize,
    /// Bytes seen.
    offset: u64,
    /// Start of the line being read.
    line_start: u64,
    /// The bytes of that line seen so far (time windows read its timestamp).
    partial: Vec<u8>,
    /// The open window: the first not yet closed.
    next: usize,
    /// Windows from `next` on that have lines.
    spans: BTreeMap<usize, Span>,
    /// Lines that arrived for a window already closed (time windows, beyond the grace).
    late: usize,
    /// Lines without a readable timestamp (time windows).
    untimed: usize,
}

/// Only the field a time window needs.
#[derive(Deserialize)]
struct Stamp {
    timestamp: Option<f64>,
}

/// Whole seconds of a log line's `timestamp`, floored as the CLI's reader does.
pub fn line_time(line: &[u8]) -> Option<i64> {
    let s: Stamp = serde_json::from_slice(line).ok()?;
    s.timestamp
        .filter(|t| t.is_finite() && t.abs() < 1e15)
        .map(|t| t.floor() as i64)
}

impl Tracker {
    /// A tracker whose windows before `next` are closed already (from the history).
    pub fn new(cut: Cut, next: usize) -> Self {
        Tracker {
            cut,
            t0: None,
            lines: 0,
            offset: 0,
            line_start: 0,
            partial: Vec::new(),
            next,
            spans: BTreeMap::new(),
            late: 0,
            untimed: 0,
        }
    }

    /// How the log is cut.
    pub fn cut(&self) -> Cut {
        self.cut
    }

    /// The open window.
    pub fn next(&self) -> usize {
        self.next
    }

    /// Non-blank lines seen.
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// The time windows are counted from (time windows, once a line was stamped).
    pub fn origin(&self) -> Option<i64> {
        self.t0
    }

    /// Lines left out: (late for a closed window, without a timestamp).
    pub fn left_out(&self) -> (usize, usize) {
        (self.late, self.untimed)
    }

    /// Forgets the lines counted late so far: at start, the lines of windows the
    /// history holds are not late but done.
    pub fn settle(&mut self) {
        self.late = 0;
    }

    /// The window of a whole line (`None`: in no window).
    fn window_of(&mut self, line: &[u8]) -> Option<usize> {
        match self.cut {
            Cut::Rows(n) => Some((self.lines - 1) / n.max(1)),
            Cut::Every { span, .. } => {
                let Some(t) = line_time(line) else {
                    self.untimed += 1;
                    return None;
                };
                let t0 = *self.t0.get_or_insert(t);
                let k = (i128::from(t) - i128::from(t0)).max(0) / i128::from(span.max(1));
                Some(usize::try_from(k).unwrap_or(usize::MAX))
            }
        }
    }

    /// Takes the next bytes of the log, in file order.
    pub fn feed(&mut self, bytes: &[u8]) {
        let mut from = 0;
        while let Some(i) = bytes[from..].iter().position(|&b| b == b'\n') {
            let piece = &bytes[from..from + i];
            let end = self.offset + (from + i + 1) as u64;
            let blank = if self.partial.is_empty() {
                piece.iter().all(u8::is_ascii_whitespace)
            } else {
                self.partial.extend_from_slice(piece);
                self.partial.iter().all(u8::is_ascii_whitespace)
            };
            if !blank {
                self.lines += 1;
                let line = std::mem::take(&mut self.partial);
                let line: &[u8] = if line.is_empty() { piece } else { &line };
                if let Some(k) = self.window_of(line) {
                    self.place(k, end);
                }
            }
            self.partial.clear();
            self.line_start = end;
            from += i + 1;
        }
        self.partial.extend_from_slice(&bytes[from..]);
        self.offset += bytes.len() as u64;
    }

    fn place(&mut self, k: usize, end: u64) {
        if k < self.next {
            self.late += 1;
            return;
        }
        let (start, line) = (self.line_start, self.lines);
        self.spans
            .entry(k)
            .and_modify(|s| {
                s.end = end;
                s.lines += 1;
            })
            .or_insert(Span {
                first: start,
                end,
                first_line: line,
                lines: 1,
            });
    }

    /// The first window not yet due: windows below it are complete at `now` (seconds
    /// since 1970): by rows once all their lines are in, by time `grace` after their end.
    fn due_limit(&self, now: i64) -> usize {
        match self.cut {
            Cut::Rows(n) => self.lines / n.max(1),
            Cut::Every { span, grace } => match self.t0 {
                None => self.next,
                Some(t0) => {
                    let k = (i128::from(now) - i128::from(grace) - i128::from(t0))
                        / i128::from(span.max(1));
                    usize::try_from(k.max(0)).unwrap_or(usize::MAX)
                }
            },
        }
    }

    /// Whether a window is due to close at `now`.
    pub fn any_due(&self, now: i64) -> bool {
        self.spans
            .keys()
            .next()
            .is_some_and(|&k| k < self.due_limit(now))
    }

    /// Removes and returns the windows due at `now`, in order, with their spans, and
    /// moves the open window past them (windows without lines close with nothing).
    pub fn take_due(&mut self, now: i64) -> Vec<(usize, Span)> {
        let limit = self.due_limit(now);
        if limit <= self.next {
            return Vec::new();
        }
        let rest = self.spans.split_off(&limit);
        let due = std::mem::replace(&mut self.spans, rest);
        self.next = limit;
        due.into_iter().collect()
    }

    /// The open window and its lines so far, if it has any.
    pub fn open(&self) -> Option<(usize, Span)> {
        self.spans.get(&self.next).map(|s| (self.next, *s))
    }

    /// How many windows the lines seen reach into (the last one with a line, plus
    /// one): at start, a history holding more windows than this is refused.
    pub fn windows_seen(&self) -> usize {
        match self.cut {
            Cut::Rows(n) => self.lines.div_ceil(n.max(1)),
            Cut::Every { .. } => self.spans.keys().last().map_or(0, |k| k + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(t: f64) -> String {
        format!("{{\"timestamp\":{t},\"input\":{{}},\"prediction\":\"a\"}}\n")
    }

    #[test]
    fn rows_are_cut_by_line_count_and_due_when_full() {
        let mut t = Tracker::new(Cut::Rows(2), 0);
        t.feed(b"{\"a\":1}\n\n{\"a\":2}\n{\"a\"");
        assert_eq!(t.lines(), 2);
        assert_eq!(
            t.take_due(0),
            [(
                0,
                Span {
                    first: 0,
                    end: 17,
                    first_line: 1,
                    lines: 2
                }
            )]
        );
        // A line split over two appends is one line.
        t.feed(b":3}\n");
        assert_eq!(
            t.open(),
            Some((
                1,
                Span {
                    first: 17,
                    end: 25,
                    first_line: 3,
                    lines: 1
                }
            ))
        );
        assert!(t.take_due(0).is_empty());
        assert!(!t.any_due(0));
    }

    #[test]
    fn fed_at_once_or_in_pieces_gives_the_same_windows() {
        let text: String = (0..7).map(|i| line(100.0 + f64::from(i) * 30.0)).collect();
        let cut = Cut::Every { span: 60, grace: 5 };
        let mut whole = Tracker::new(cut, 0);
        whole.feed(text.as_bytes());
        let mut pieces = Tracker::new(cut, 0);
        for chunk in text.as_bytes().chunks(7) {
            pieces.feed(chunk);
        }
        assert_eq!(whole.spans, pieces.spans);
        // Stamps 100..280 from t0 = 100: windows 0 (100, 130), 1 (160, 190), 2, 3 (280).
        assert_eq!(whole.spans.len(), 4);
        assert_eq!(whole.origin(), Some(100));
        // Window 1 ends at 220; due 5 s later.
        assert_eq!(whole.take_due(224).len(), 1);
        let due = whole.take_due(225);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].0, 1);
        assert_eq!(due[0].1.lines, 2);
        assert_eq!(whole.next(), 2);
    }

    #[test]
    fn late_and_untimed_lines_are_counted_not_placed() {
        let mut t = Tracker::new(Cut::Every { span: 10, grace: 0 }, 0);
        t.feed(line(0.0).as_bytes());
        t.feed(b"{\"input\":{}}\n");
        assert_eq!(t.take_due(25).len(), 1);
        t.feed(line(5.0).as_bytes());
        assert_eq!(t.left_out(), (1, 1));
        assert!(t.open().is_none());
        assert_eq!(line_time(b"{\"timestamp\": 12.7}"), Some(12));
        assert_eq!(line_time(b"{\"timestamp\": 1e300}"), None);
    }
}
