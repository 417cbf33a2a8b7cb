//! A workflow file as a small tree of YAML nodes with their lines, built
//! from `saphyr-parser`'s events.
//!
//! Hostile input stays cheap: the tree holds each node once (an alias is a
//! pointer to its anchor's node, never a copy, so a "billion laughs" file
//! is as big as its text), nesting deeper than [`MAX_DEPTH`] is refused
//! while building, and whoever walks the tree through aliases counts the
//! nodes it visits against a budget ([`Budget`]).

use std::ops::Range;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

/// Deepest nesting of sequences and mappings accepted; workflows use ten or so.
pub const MAX_DEPTH: usize = 128;

/// How many nodes one walk of a file may visit through aliases, beyond a
/// few visits of each node it has ([`Budget::for_doc`]): far above any real
/// workflow (a 60 KB one has about 5,000 nodes), far below what an alias
/// bomb expands to.
pub const MAX_VISITS: usize = 100_000;

/// Visits of each node a walk may make without aliases (the walk and the
/// key lookups of jobs and steps).
const VISITS_PER_NODE: usize = 8;

pub type NodeId = usize;

#[derive(Debug)]
pub enum Node {
    Scalar(Scalar),
    Seq(Vec<NodeId>),
    Map(Vec<(NodeId, NodeId)>),
    /// An alias of the node its anchor names.
    Alias(NodeId),
}

#[derive(Debug)]
pub struct Scalar {
    pub value: String,
    pub style: ScalarStyle,
    /// 1-based line where the scalar's text starts (for a block scalar,
    /// its first content line).
    pub line: usize,
    /// Byte range of the scalar's text in the source.
    pub span: Range<usize>,
}

/// A parsed workflow file.
#[derive(Debug)]
pub struct Doc {
    pub nodes: Vec<Node>,
    /// The line each node starts on.
    pub lines: Vec<usize>,
    pub root: Option<NodeId>,
}

/// Why a file is not a workflow tree: the parser's message at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub message: String,
}

impl Doc {
    /// Parses the first document of `src`.
    pub fn parse(src: &str) -> Result<Doc, YamlError> {
        let mut b = Builder {
            doc: Doc {
                nodes: Vec::new(),
                lines: Vec::new(),
                root: None,
            },
            stack: Vec::new(),
            anchors: Vec::new(),
            bytes: ByteCursor::new(src),
        };
        for event in Parser::new_from_str(src) {
            let (event, span) = event.map_err(|e| YamlError {
                line: e.marker().line().max(1),
                message: e.info().to_owned(),
            })?;
            if b.event(event, span.start, span.end)? {
                break;
            }
        }
        Ok(b.doc)
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    pub fn line(&self, id: NodeId) -> usize {
        self.lines[id]
    }
}

/// A count of visited nodes shared by one walk.
#[derive(Debug)]
pub struct Budget {
    left: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { left: MAX_VISITS }
    }
}

impl Budget {
    /// The budget of one walk of `doc`: a few visits of each node, plus
    /// [`MAX_VISITS`] for what aliases repeat.
    pub fn for_doc(doc: &Doc) -> Self {
        Budget {
            left: MAX_VISITS.saturating_add(doc.nodes.len().saturating_mul(VISITS_PER_NODE)),
        }
    }

    /// Spends one visit; `false` once the budget is gone.
    pub fn spend(&mut self) -> bool {
        if self.left == 0 {
            return false;
        }
        self.left -= 1;
        true
    }

    pub fn exhausted(&self) -> bool {
        self.left == 0
    }
}

impl Doc {
    /// `id` with aliases followed (an alias of an alias included).
    pub fn resolve(&self, mut id: NodeId) -> NodeId {
        // Anchors are defined before use, so alias chains point backwards
        // and end.
        while let Node::Alias(target) = self.nodes[id] {
            id = target;
        }
        id
    }

    /// The scalar at `id` (aliases followed), if it is one.
    pub fn scalar(&self, id: NodeId) -> Option<&Scalar> {
        match &self.nodes[self.resolve(id)] {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The entries of the mapping at `id`, aliases followed and `<<` merge
    /// keys expanded (own keys first, so they win a lookup); empty when it
    /// is not a mapping. Each expanded entry spends the budget.
    pub fn entries(&self, id: NodeId, budget: &mut Budget) -> Vec<(NodeId, NodeId)> {
        let mut out = Vec::new();
        self.collect_entries(id, budget, &mut out, 0);
        out
    }

    fn collect_entries(
        &self,
        id: NodeId,
        budget: &mut Budget,
        out: &mut Vec<(NodeId, NodeId)>,
        depth: usize,
    ) {
        let Node::Map(entries) = &self.nodes[self.resolve(id)] else {
            return;
        };
        let mut merges = Vec::new();
        for &(k, v) in entries {
            if !budget.spend() {
                return;
            }
            if self
                .scalar(k)
                .is_some_and(|s| s.value == "<<" && s.style == ScalarStyle::Plain)
            {
                merges.push(v);
            } else {
                out.push((k, v));
            }
        }
        if depth >= MAX_DEPTH {
            return;
        }
        for m in merges {
            match &self.nodes[self.resolve(m)] {
                Node::Seq(items) => {
                    for &item in items {
                        self.collect_entries(item, budget, out, depth + 1);
                    }
                }
                _ => self.collect_entries(m, budget, out, depth + 1),
            }
        }
    }

    /// The value of key `key` in the mapping at `id`.
    pub fn get(&self, id: NodeId, key: &str, budget: &mut Budget) -> Option<NodeId> {
        self.entries(id, budget)
            .into_iter()
            .find(|&(k, _)| self.scalar(k).is_some_and(|s| s.value == key))
            .map(|(_, v)| v)
    }

    /// The items of the sequence at `id` (aliases followed); empty otherwise.
    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match &self.nodes[self.resolve(id)] {
            Node::Seq(items) => items,
            _ => &[],
        }
    }
}

/// Builds the tree from events with an explicit stack (no recursion).
struct Builder<'s> {
    doc: Doc,
    /// Open collections: the node and, for a mapping, a key waiting for its value.
    stack: Vec<(NodeId, Option<NodeId>)>,
    /// Anchor id → node; saphyr numbers anchors from 1 in order.
    anchors: Vec<Option<NodeId>>,
    bytes: ByteCursor<'s>,
}

impl Builder<'_> {
    /// Handles one event; `true` when the first document is complete.
    fn event(&mut self, event: Event<'_>, start: Marker, end: Marker) -> Result<bool, YamlError> {
        let line = start.line().max(1);
        match event {
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => {}
            Event::StreamEnd | Event::DocumentEnd => return Ok(true),
            Event::Alias(anchor) => {
                let target =
                    self.anchors
                        .get(anchor)
                        .copied()
                        .flatten()
                        .ok_or_else(|| YamlError {
                            line,
                            message: "alias of an unknown anchor".to_owned(),
                        })?;
                let id = self.push(Node::Alias(target), line);
                self.attach(id);
            }
            Event::Scalar(value, style, anchor, _) => {
                let span = self.bytes.at(start)..self.bytes.at(end);
                let id = self.push(
                    Node::Scalar(Scalar {
                        value: value.into_owned(),
                        style,
                        line,
                        span,
                    }),
                    line,
                );
                self.anchor(anchor, id);
                self.attach(id);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        line,
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                    });
                }
                let node = if matches!(event, Event::SequenceStart(..)) {
                    Node::Seq(Vec::new())
                } else {
                    Node::Map(Vec::new())
                };
                let id = self.push(node, line);
                self.anchor(anchor, id);
                self.attach(id);
                self.stack.push((id, None));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
            }
        }
        Ok(false)
    }

    fn push(&mut self, node: Node, line: usize) -> NodeId {
        self.doc.nodes.push(node);
        self.doc.lines.push(line);
        self.doc.nodes.len() - 1
    }

    fn anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor == 0 {
            return;
        }
        if self.anchors.len() <= anchor {
            self.anchors.resize(anchor + 1, None);
        }
        self.anchors[anchor] = Some(id);
    }

    /// Places a new node in the open collection (or as the root).
    fn attach(&mut self, id: NodeId) {
        let Some((parent, pending)) = self.stack.last_mut() else {
            self.doc.root.get_or_insert(id);
            return;
        };
        match &mut self.doc.nodes[*parent] {
            Node::Seq(items) => items.push(id),
            Node::Map(entries) => match pending.take() {
                None => *pending = Some(id),
                Some(key) => entries.push((key, id)),
            },
            _ => unreachable!("only collections are open"),
        }
    }
}

/// Turns the parser's markers (line, column in characters) into byte
/// offsets, walking forward from the last one on the same line, so a long
/// line of many scalars costs its length once.
struct ByteCursor<'s> {
    src: &'s str,
    line_starts: Vec<usize>,
    /// (line, column, byte) of the last answer.
    last: (usize, usize, usize),
}

impl<'s> ByteCursor<'s> {
    fn new(src: &'s str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        ByteCursor {
            src,
            line_starts,
            last: (0, 0, 0),
        }
    }

    fn at(&mut self, m: Marker) -> usize {
        let line = m.line().max(1);
        let Some(&line_start) = self.line_starts.get(line - 1) else {
            return self.src.len();
        };
        let (mut col, mut byte) = if self.last.0 == line && self.last.1 <= m.col() {
            (self.last.1, self.last.2)
        } else {
            (0, line_start)
        };
        let rest = &self.src[byte..];
        for c in rest.chars() {
            if col == m.col() || c == '\n' {
                break;
            }
            col += 1;
            byte += c.len_utf8();
        }
        self.last = (line, col, byte);
        byte
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalars(doc: &Doc) -> Vec<(String, usize, &str)> {
        doc.nodes
            .iter()
            .filter_map(|n| match n {
                Node::Scalar(s) => Some((s.value.clone(), s.line, "")),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn lines_spans_and_anchors() {
        let src = "a: &x\n  b: ü 1\nc: *x\nd: |\n  text\n";
        let doc = Doc::parse(src).unwrap();
        let s = scalars(&doc);
        assert_eq!(s[0], ("a".into(), 1, ""));
        assert_eq!(s[2], ("ü 1".into(), 2, ""));
        let Node::Scalar(u) = &doc.nodes[4] else {
            panic!()
        };
        assert_eq!(&src[u.span.clone()], "ü 1");
        let root = doc.root.unwrap();
        let mut budget = Budget::default();
        let c = doc.get(root, "c", &mut budget).unwrap();
        let b = doc.get(c, "b", &mut budget).unwrap();
        assert_eq!(doc.scalar(b).unwrap().value, "ü 1");
        let d = doc.get(root, "d", &mut budget).unwrap();
        assert_eq!(doc.scalar(d).unwrap().line, 5);
    }

    #[test]
    fn merge_keys_bring_entries() {
        let doc = Doc::parse("base: &b\n  x: 1\nm:\n  <<: *b\n  y: 2\n").unwrap();
        let mut budget = Budget::default();
        let m = doc.get(doc.root.unwrap(), "m", &mut budget).unwrap();
        assert!(doc.get(m, "x", &mut budget).is_some());
        assert!(doc.get(m, "y", &mut budget).is_some());
    }

    #[test]
    fn errors_have_a_line() {
        let e = Doc::parse("a: 1\nb: [\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        let deep = "[".repeat(1000);
        assert!(Doc::parse(&deep).is_err());
        let deep_block: String = (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        let e = Doc::parse(&deep_block).unwrap_err();
        assert!(e.message.contains("nesting deeper"), "{e:?}");
    }
}
