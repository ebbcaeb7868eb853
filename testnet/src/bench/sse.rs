//! A minimal Server-Sent Events reader for the gateway's `/v1/events`: bytes in, the `entry`
//! events' ids and results out.

/// One `entry` event: an entry became final in a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalEntry {
    /// Entry id, hex.
    pub entry_id: String,
    /// Whether execution applied it (`APPLIED`) rather than failed it.
    pub applied: bool,
}

/// What one complete SSE event told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// An entry is final.
    Entry(FinalEntry),
    /// Anything else (block events, comments, keep-alives), with its id if it had one.
    Other(Option<String>),
}

/// Splits a byte stream into SSE events (`\n\n`-terminated blocks of `field: value` lines).
#[derive(Debug, Default)]
pub struct SseParser {
    buffer: Vec<u8>,
    /// Id of the last event read (for `Last-Event-ID` on reconnect).
    pub last_id: Option<String>,
}

impl SseParser {
    /// Feeds `chunk`; returns the events it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Event> {
        self.buffer.extend_from_slice(chunk);
        let mut events = Vec::new();
        while let Some(end) = find_blank_line(&self.buffer) {
            let block: Vec<u8> = self.buffer.drain(..end.0).collect();
            self.buffer.drain(..end.1);
            let event = parse_block(&String::from_utf8_lossy(&block));
            if let Some(id) = event.1.clone() {
                self.last_id = Some(id);
            }
            events.push(event.0);
        }
        events
    }
}

/// Where the first blank line is: (end of the block, length of the separator).
fn find_blank_line(buf: &[u8]) -> Option<(usize, usize)> {
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2));
    let crlf = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4));
    match (lf, crlf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

fn parse_block(block: &str) -> (Event, Option<String>) {
    let mut kind = None;
    let mut id = None;
    let mut data = String::new();
    for line in block.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => kind = Some(value.to_string()),
            "id" => id = Some(value.to_string()),
            "data" => {
                if !data.is_empty() {
                    data.push('\n');
                }
                data.push_str(value);
            }
            _ => {}
        }
    }
    let event = match kind.as_deref() {
        Some("entry") => entry_of(&data).map_or(Event::Other(id.clone()), Event::Entry),
        _ => Event::Other(id.clone()),
    };
    (event, id)
}

fn entry_of(data: &str) -> Option<FinalEntry> {
    let value: serde_json::Value = serde_json::from_str(data).ok()?;
    Some(FinalEntry {
        entry_id: value.get("entry_id")?.as_str()?.to_string(),
        applied: value.get("result")?.as_str()? == "APPLIED",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_events_are_read_across_chunk_boundaries() {
        let mut p = SseParser::default();
        let text = "id: 5:0\nevent: block\ndata: {\"height\":5}\n\n: keep-alive\n\n\
                    id: 5:1\nevent: entry\ndata: {\"entry_id\":\"ab\",\"result\":\"APPLIED\"}\n\n\
                    id: 5:2\nevent: entry\ndata: {\"entry_id\":\"cd\",\"result\":\"FAILED\"}\n\n";
        let (a, b) = text.as_bytes().split_at(70);
        let mut events = p.push(a);
        events.extend(p.push(b));
        let entries: Vec<FinalEntry> = events
            .into_iter()
            .filter_map(|e| match e {
                Event::Entry(f) => Some(f),
                Event::Other(_) => None,
            })
            .collect();
        assert_eq!(
            entries,
            vec![
                FinalEntry {
                    entry_id: "ab".into(),
                    applied: true
                },
                FinalEntry {
                    entry_id: "cd".into(),
                    applied: false
                },
            ]
        );
        assert_eq!(p.last_id.as_deref(), Some("5:2"));
    }

    #[test]
    fn an_incomplete_or_malformed_event_yields_no_entry() {
        let mut p = SseParser::default();
        assert!(p.push(b"event: entry\ndata: {\"entry_id\":").is_empty());
        let mut q = SseParser::default();
        assert_eq!(
            q.push(b"event: entry\r\ndata: not json\r\n\r\n"),
            vec![Event::Other(None)]
        );
    }
}
