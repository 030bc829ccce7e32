//! Places a [`Graph`] on a grid of terminal cells, once, for every renderer.
//!
//! The columns that hold boxes stand left to right. An edge that skips a column (a service
//! provided by a node skips the routers and routes) passes it through a one-row "dummy" slot,
//! as in Sugiyama's layered drawing. Within a column the boxes are ordered to keep crossings
//! low: barycenter sweeps (each box moves to the mean position of its neighbours in the column
//! before, then after), and the order with the fewest crossings is kept. Boxes are then
//! stacked top to bottom, each as close as the column allows to the boxes that lead to it.
//!
//! Edges leave a box on its right side and enter the next on its left side, each at its own
//! row (a "port"): outgoing ports on odd rows, incoming ports on even rows, so that between
//! two columns no row ever holds two edges' horizontal lines and a crossing is always a clean
//! `┼`. Between two columns each edge turns down or up on its own vertical track; tracks are
//! handed out so that edges whose vertical spans overlap never share one.
//!
//! Everything is deterministic: the same mesh gives the same layout.

use unicode_width::UnicodeWidthStr;

use super::{Column, Graph, LABEL_MAX};

/// Narrowest and widest box, in columns (names longer than fits are cut with `…`).
pub const BOX_MIN: u32 = 12;
pub const BOX_MAX: u32 = 32;
/// Vertical tracks one gap between two columns may use; past that, tracks are shared.
pub const MAX_TRACKS: u32 = 48;
/// Rows per block of the row index the painters query.
const BLOCK: u32 = 32;
/// Barycenter sweeps at most (each one down and one up); they stop when a sweep finds no
/// order with fewer crossings.
const SWEEPS: usize = 2;
/// Rounds of moving boxes toward the boxes they are joined to (alternately left to right and
/// right to left).
const PLACEMENT_ROUNDS: usize = 4;

/// A column that holds boxes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnGeom {
    pub column: Column,
    pub x: u32,
    pub width: u32,
}

/// What a line of text in a box is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Name,
    Detail,
    Warn,
    Error,
}

/// Where a box is, in cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoxGeom {
    /// Index into [`Layout::columns`].
    pub col: usize,
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
    /// Rows where edges leave the box (on its right border).
    pub out_ports: Vec<u32>,
    /// What the box says, top to bottom.
    pub lines: Vec<(String, LineKind)>,
}

impl BoxGeom {
    pub fn bottom(&self) -> u32 {
        self.y + self.h
    }
    pub fn center_y(&self) -> u32 {
        self.y + self.h / 2
    }
}

/// One edge drawn: the cells its line passes through, corner to corner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgePath {
    pub edge: usize,
    /// Corner points; consecutive points share a row or a column. The first is on the source
    /// box's right border, the last just left of the target box (where the arrow head is).
    pub points: Vec<(u32, u32)>,
    /// Where the label starts (row of the first horizontal line) and how much of it fits.
    pub label_at: (u32, u32),
    pub label: String,
    pub problem: bool,
}

/// A straight piece of an edge's line, for the row index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub a: (u32, u32),
    pub b: (u32, u32),
    pub path: u32,
}

/// The laid-out graph.
#[derive(Clone, Debug)]
pub struct Layout {
    pub graph: Graph,
    pub columns: Vec<ColumnGeom>,
    /// One per graph node.
    pub boxes: Vec<BoxGeom>,
    /// The boxes of each column, top to bottom.
    pub order: Vec<Vec<usize>>,
    pub paths: Vec<EdgePath>,
    pub pieces: Vec<Piece>,
    pub width: u32,
    pub height: u32,
    /// Edge crossings between neighbouring columns, as ordered.
    pub crossings: u64,
    /// Pieces (by index) that touch each block of [`BLOCK`] rows.
    blocks: Vec<Vec<u32>>,
}

fn even_up(y: u32) -> u32 {
    y + (y & 1)
}

fn text_width(s: &str) -> u32 {
    UnicodeWidthStr::width(s) as u32
}

/// Cuts `s` to `max` columns with `…`.
pub fn fit(s: &str, max: usize) -> String {
    crate::ui::text::fit(s, max)
}

/// One step of an edge between neighbouring columns.
#[derive(Clone, Copy, Debug)]
struct Hop {
    u: usize,
    v: usize,
    path: usize,
    /// The first hop of its edge (the one that carries the label).
    first: bool,
}

/// Counts the crossings between two neighbouring layers. `targets[a..b]` for each `(a, b)` of
/// `ranges`, in the left layer's order, are the positions one vertex's edges reach in the right
/// layer (of `size` vertices): every later edge reaching a smaller position than an earlier
/// one crosses it, which a Fenwick tree counts in O(E log V) without sorting all the edges.
fn count_crossings(
    targets: &mut [usize],
    ranges: &[(usize, usize)],
    size: usize,
    tree: &mut Vec<u64>,
) -> u64 {
    tree.clear();
    tree.resize(size + 1, 0);
    let mut seen = 0u64;
    let mut crossings = 0u64;
    for &(a, b) in ranges {
        targets[a..b].sort_unstable();
        for &v in &targets[a..b] {
            // How many earlier edges reach a position ≤ v.
            let mut i = v + 1;
            let mut le = 0;
            while i > 0 {
                le += tree[i];
                i -= i & i.wrapping_neg();
            }
            crossings += seen - le;
            seen += 1;
            let mut i = v + 1;
            while i <= size {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
    }
    crossings
}

/// Sets the tops of one column's boxes (`order`, top to bottom) as near to `desired` as
/// the order and a blank row between boxes allow, in the least-squares sense: with
/// `s_i = top_i - (heights and gaps above i)`, the tops' constraints become `s` non-decreasing,
/// which pool-adjacent-violators solves exactly. Tops are even and never negative.
fn place_column(order: &[usize], desired: &[f64], heights: &[u32], top: &mut [u32]) {
    // Blocks of (sum, count) of shifted desired values; each block's mean is its level.
    let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(order.len());
    let mut offset = 0f64;
    for (i, &v) in order.iter().enumerate() {
        let mut block = (desired[i] - offset, 1usize);
        while let Some(&(sum, count)) = blocks.last() {
            if sum / count as f64 >= block.0 / block.1 as f64 {
                blocks.pop();
                block = (block.0 + sum, block.1 + count);
            } else {
                break;
            }
        }
        blocks.push(block);
        offset += (heights[v] + 2) as f64;
    }
    let mut i = 0;
    let mut next = 0u32;
    let mut offset = 0f64;
    for (sum, count) in blocks {
        let level = (sum / count as f64).max(0.0);
        for _ in 0..count {
            let v = order[i];
            let want = (level + offset).round().max(0.0) as u32;
            top[v] = even_up(want.max(next));
            next = even_up(top[v] + heights[v] + 1);
            offset += (heights[v] + 2) as f64;
            i += 1;
        }
    }
}

impl Layout {
    pub fn new(graph: Graph) -> Layout {
        let n = graph.nodes.len();
        // The columns in use.
        let mut present = [false; 7];
        for node in &graph.nodes {
            present[node.column as usize] = true;
        }
        let mut col_of = [usize::MAX; 7];
        let mut columns = Vec::new();
        for c in Column::ALL {
            if present[c as usize] {
                col_of[c as usize] = columns.len();
                columns.push(ColumnGeom {
                    column: c,
                    x: 0,
                    width: BOX_MIN,
                });
            }
        }
        let layers = columns.len();
        // Vertices: the boxes, then one dummy per column an edge passes.
        let mut layer: Vec<usize> = graph
            .nodes
            .iter()
            .map(|nd| col_of[nd.column as usize])
            .collect();
        let mut hops: Vec<Hop> = Vec::new();
        let mut drawn: Vec<usize> = Vec::new();
        for (e, edge) in graph.edges.iter().enumerate() {
            let (a, b) = (layer[edge.from], layer[edge.to]);
            if b <= a {
                continue; // never made by Graph::from_mesh; not drawn if it were
            }
            let path = drawn.len();
            drawn.push(e);
            let mut u = edge.from;
            for l in a + 1..b {
                let d = layer.len();
                layer.push(l);
                hops.push(Hop {
                    u,
                    v: d,
                    path,
                    first: u == edge.from,
                });
                u = d;
            }
            hops.push(Hop {
                u,
                v: edge.to,
                path,
                first: u == edge.from,
            });
        }
        let vcount = layer.len();
        let mut preds: Vec<Vec<u32>> = vec![Vec::new(); vcount];
        let mut succs: Vec<Vec<u32>> = vec![Vec::new(); vcount];
        for (h, hop) in hops.iter().enumerate() {
            succs[hop.u].push(h as u32);
            preds[hop.v].push(h as u32);
        }

        // Initial order: the graph's (resources in key order, so routes grouped by router;
        // then the missing ones), then dummies by edge.
        let mut by_layer: Vec<Vec<usize>> = vec![Vec::new(); layers];
        for v in 0..vcount {
            by_layer[layer[v]].push(v);
        }
        let mut pos = vec![0usize; vcount];
        let set_pos = |by_layer: &Vec<Vec<usize>>, pos: &mut Vec<usize>| {
            for l in by_layer {
                for (i, &v) in l.iter().enumerate() {
                    pos[v] = i;
                }
            }
        };
        set_pos(&by_layer, &mut pos);
        let mut tree: Vec<u64> = Vec::new();
        let mut scratch: Vec<usize> = Vec::new();
        let mut bounds: Vec<(usize, usize)> = Vec::new();
        let mut crossings_of = |by_layer: &Vec<Vec<usize>>, pos: &Vec<usize>| -> u64 {
            let mut total = 0;
            for l in 0..layers.saturating_sub(1) {
                // Each vertex's edges to the next layer, as positions there, in vertex order.
                scratch.clear();
                bounds.clear();
                for &u in &by_layer[l] {
                    let start = scratch.len();
                    scratch.extend(succs[u].iter().map(|&h| pos[hops[h as usize].v]));
                    bounds.push((start, scratch.len()));
                }
                total += count_crossings(&mut scratch, &bounds, by_layer[l + 1].len(), &mut tree);
            }
            total
        };
        let mut best = by_layer.clone();
        let mut best_crossings = crossings_of(&by_layer, &pos);
        let mut keyed: Vec<(f64, bool, usize, usize)> = Vec::new();
        for sweep in 0..SWEEPS {
            if sweep > 0 && best_crossings == 0 {
                break;
            }
            let before = best_crossings;
            for down in [true, false] {
                let range: Vec<usize> = if down {
                    (1..layers).collect()
                } else {
                    (0..layers.saturating_sub(1)).rev().collect()
                };
                for l in range {
                    keyed.clear();
                    for &v in &by_layer[l] {
                        let nb = if down { &preds[v] } else { &succs[v] };
                        let bc = if nb.is_empty() {
                            pos[v] as f64
                        } else {
                            let sum: usize = nb
                                .iter()
                                .map(|&h| {
                                    let hop = hops[h as usize];
                                    pos[if down { hop.u } else { hop.v }]
                                })
                                .sum();
                            sum as f64 / nb.len() as f64
                        };
                        keyed.push((bc, nb.is_empty(), pos[v], v));
                    }
                    // Ties: boxes with neighbours first, then as they were.
                    keyed.sort_unstable_by(|a, b| {
                        a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
                    });
                    for (i, &(_, _, _, v)) in keyed.iter().enumerate() {
                        by_layer[l][i] = v;
                        pos[v] = i;
                    }
                }
                let c = crossings_of(&by_layer, &pos);
                // Equal counts: the swept order, which puts connected boxes side by side.
                if c <= best_crossings {
                    best_crossings = c;
                    best = by_layer.clone();
                }
            }
            if sweep > 0 && best_crossings == before {
                break;
            }
        }
        let by_layer = best;
        set_pos(&by_layer, &mut pos);

        // Box contents and sizes.
        let mut lines: Vec<Vec<(String, LineKind)>> = Vec::with_capacity(n);
        for (i, node) in graph.nodes.iter().enumerate() {
            let mut l = vec![(node.name(), LineKind::Name)];
            if !node.detail.is_empty() {
                l.push((node.detail.clone(), LineKind::Detail));
            }
            for m in &node.marks {
                let kind = if m.is_error() {
                    LineKind::Error
                } else {
                    LineKind::Warn
                };
                l.push((m.short().to_string(), kind));
            }
            let c = layer[i];
            let want = l
                .iter()
                .map(|(s, _)| text_width(s) + 4)
                .max()
                .unwrap_or(0)
                .clamp(BOX_MIN, BOX_MAX);
            columns[c].width = columns[c].width.max(want);
            lines.push(l);
        }
        let height_of = |v: usize| -> u32 {
            if v >= n {
                return 2;
            }
            let content = (lines[v].len() as u32)
                .max(2 * preds[v].len() as u32)
                .max((2 * succs[v].len() as u32).saturating_sub(1))
                .max(2);
            content + 2
        };

        // Rows: each box as near as its column allows to the boxes it is joined to, so
        // that an edge runs as straight as it can (a few rounds of isotonic regression).
        let heights: Vec<u32> = (0..vcount).map(height_of).collect();
        let mut top = vec![0u32; vcount];
        for layer_boxes in &by_layer {
            let mut next = 0u32;
            for &v in layer_boxes {
                top[v] = next;
                next = even_up(next + heights[v] + 1);
            }
        }
        // Where v's top would put it level with u's port: a box's first port is one row
        // below the port it is joined to, a dummy's row is the one below.
        let shift = |v: usize| -> i64 { if v >= n { 2 } else { 0 } };
        let mut desired: Vec<f64> = Vec::new();
        for round in 0..PLACEMENT_ROUNDS {
            let down = round % 2 == 0;
            let order: Vec<usize> = if down {
                (0..layers).collect()
            } else {
                (0..layers).rev().collect()
            };
            for l in order {
                desired.clear();
                for &v in &by_layer[l] {
                    let mut sum = 0f64;
                    let mut count = 0usize;
                    for &h in &preds[v] {
                        sum += (top[hops[h as usize].u] as i64 + shift(v)) as f64;
                        count += 1;
                    }
                    for &h in &succs[v] {
                        let w = hops[h as usize].v;
                        sum += (top[w] as i64 - shift(w)) as f64;
                        count += 1;
                    }
                    desired.push(if count == 0 {
                        top[v] as f64
                    } else {
                        sum / count as f64
                    });
                }
                place_column(&by_layer[l], &desired, &heights, &mut top);
            }
        }
        // Start at the first row.
        let lift = top.iter().copied().min().unwrap_or(0) & !1;
        for t in &mut top {
            *t -= lift;
        }
        let mut height = 0u32;
        for v in 0..vcount {
            height = height.max(top[v] + heights[v]);
        }

        // Ports: outgoing hops ordered by the target's top, incoming by the source's row.
        let mut out_row = vec![0u32; hops.len()];
        let mut in_row = vec![0u32; hops.len()];
        let mut hs: Vec<u32> = Vec::new();
        for v in 0..vcount {
            hs.clear();
            hs.extend_from_slice(&succs[v]);
            hs.sort_unstable_by_key(|&h| (top[hops[h as usize].v], pos[hops[h as usize].v], h));
            for (k, &h) in hs.iter().enumerate() {
                out_row[h as usize] = if v >= n {
                    top[v] + 1
                } else {
                    top[v] + 1 + 2 * k as u32
                };
            }
        }
        for v in 0..vcount {
            hs.clear();
            hs.extend_from_slice(&preds[v]);
            hs.sort_unstable_by_key(|&h| (out_row[h as usize], h));
            for (k, &h) in hs.iter().enumerate() {
                in_row[h as usize] = if v >= n {
                    top[v]
                } else {
                    top[v] + 2 + 2 * k as u32
                };
            }
        }

        // Per gap between columns: the label room and the tracks.
        let gaps = layers.saturating_sub(1);
        let mut label_room = vec![0u32; gaps];
        let mut gap_hops: Vec<Vec<usize>> = vec![Vec::new(); gaps];
        for (h, hop) in hops.iter().enumerate() {
            let l = layer[hop.u];
            gap_hops[l].push(h);
            if hop.first {
                let label = &graph.edges[drawn[hop.path]].label;
                if !label.is_empty() {
                    label_room[l] = label_room[l].max(text_width(label).min(LABEL_MAX as u32));
                }
            }
        }
        // Where each hop's vertical ends: a box's port, or for a column the edge only passes,
        // the row it crosses that column on (one below the row it came in on).
        let end_row: Vec<u32> = hops
            .iter()
            .enumerate()
            .map(|(h, hop)| if hop.v >= n { in_row[h] + 1 } else { in_row[h] })
            .collect();
        let mut track = vec![0u32; hops.len()];
        let mut tracks = vec![0u32; gaps];
        for g in 0..gaps {
            // Down-going hops from the top, up-going ones from the bottom, each group on its
            // own tracks; within a group the first handed out stands rightmost, which saves
            // the crossings of staggered edges.
            let (mut down, mut up): (Vec<usize>, Vec<usize>) =
                gap_hops[g].iter().partition(|&&h| out_row[h] < end_row[h]);
            down.sort_unstable_by_key(|&h| (out_row[h], end_row[h], h));
            up.sort_unstable_by_key(|&h| {
                (
                    std::cmp::Reverse(out_row[h]),
                    std::cmp::Reverse(end_row[h]),
                    h,
                )
            });
            let assign = |group: &[usize], descending: bool, track: &mut Vec<u32>| -> u32 {
                // The last row each track is busy to (going down) or from (going up).
                let mut ends: Vec<u32> = Vec::new();
                for &h in group {
                    let (lo, hi) = (out_row[h].min(end_row[h]), out_row[h].max(end_row[h]));
                    let free = ends
                        .iter()
                        .position(|&e| if descending { e > hi } else { e < lo });
                    let t = match free {
                        Some(t) => t,
                        None if (ends.len() as u32) < MAX_TRACKS => {
                            ends.push(0);
                            ends.len() - 1
                        }
                        // Out of room: share the track that frees soonest.
                        None => {
                            let mut best = 0;
                            for (i, &e) in ends.iter().enumerate() {
                                let better = if descending {
                                    e > ends[best]
                                } else {
                                    e < ends[best]
                                };
                                if better {
                                    best = i;
                                }
                            }
                            best
                        }
                    };
                    ends[t] = if descending { lo } else { hi };
                    track[h] = t as u32;
                }
                ends.len() as u32
            };
            let t_up = assign(&up, true, &mut track);
            let t_down = assign(&down, false, &mut track);
            // Up tracks on the left, down tracks on the right; within each, reversed.
            for &h in &up {
                track[h] = t_up - 1 - track[h];
            }
            for &h in &down {
                track[h] = t_up + t_down - 1 - track[h];
            }
            tracks[g] = (t_up + t_down).max(1);
        }

        // x positions: box, `─`, label, `─`, tracks, `─`, arrow, next box.
        let mut track_x0 = vec![0u32; gaps];
        let mut x = 0u32;
        for l in 0..layers {
            columns[l].x = x;
            x += columns[l].width;
            if l < gaps {
                let room = if label_room[l] > 0 {
                    label_room[l] + 1
                } else {
                    0
                };
                track_x0[l] = x + 1 + room;
                x = track_x0[l] + tracks[l] + 2;
            }
        }
        let width = x + 1;

        let mut boxes = Vec::with_capacity(n);
        for (v, l) in lines.into_iter().enumerate() {
            let c = layer[v];
            let mut out_ports: Vec<u32> = succs[v].iter().map(|&h| out_row[h as usize]).collect();
            out_ports.sort_unstable();
            boxes.push(BoxGeom {
                col: c,
                x: columns[c].x,
                y: top[v],
                w: columns[c].width,
                h: heights[v],
                out_ports,
                lines: l,
            });
        }

        // Per gap, the track of the source line on each row (rows are unique per gap).
        let mut source_track: Vec<foldhash::HashMap<u32, u32>> =
            vec![foldhash::HashMap::default(); gaps];
        for (g, hs) in gap_hops.iter().enumerate() {
            for &h in hs {
                source_track[g].insert(out_row[h], track[h]);
            }
        }

        // Paths: the hops of each drawn edge in order.
        let mut path_hops: Vec<Vec<usize>> = vec![Vec::new(); drawn.len()];
        for (h, hop) in hops.iter().enumerate() {
            path_hops[hop.path].push(h);
        }
        let mut paths = Vec::with_capacity(drawn.len());
        for (p, hs) in path_hops.iter().enumerate() {
            let e = drawn[p];
            let edge = &graph.edges[e];
            let first = hops[hs[0]];
            let src = &boxes[first.u];
            let mut points = Vec::with_capacity(1 + 4 * hs.len());
            points.push((src.x + src.w - 1, out_row[hs[0]]));
            for &h in hs {
                let hop = hops[h];
                let g = layer[hop.u];
                let tx = track_x0[g] + track[h];
                points.push((tx, out_row[h]));
                points.push((tx, in_row[h]));
                if hop.v >= n {
                    // Through the column the edge skips, straight across on the row below the
                    // one it came in on; unless a line leaving the column before already runs
                    // on that row past this track: then down a row where an arrow head
                    // would be (odd rows there are free).
                    let c = &columns[layer[hop.v]];
                    let across = in_row[h] + 1;
                    let clear = source_track[g].get(&across).is_none_or(|&t| t < track[h]);
                    if clear {
                        points.pop();
                        points.push((tx, across));
                    } else {
                        points.push((c.x - 1, in_row[h]));
                        points.push((c.x - 1, across));
                    }
                } else {
                    points.push((boxes[hop.v].x - 1, in_row[h]));
                }
            }
            points.dedup();
            let g = layer[first.u];
            let room = label_room[g];
            paths.push(EdgePath {
                edge: e,
                points,
                label_at: (src.x + src.w + 1, out_row[hs[0]]),
                label: if room > 0 {
                    fit(&edge.label, room as usize)
                } else {
                    String::new()
                },
                problem: edge.problem,
            });
        }

        // The row index.
        let mut pieces = Vec::new();
        let nblocks = (height / BLOCK + 1) as usize;
        let mut blocks: Vec<Vec<u32>> = vec![Vec::new(); nblocks];
        for (p, path) in paths.iter().enumerate() {
            for w in path.points.windows(2) {
                let id = pieces.len() as u32;
                pieces.push(Piece {
                    a: w[0],
                    b: w[1],
                    path: p as u32,
                });
                let (y0, y1) = (w[0].1.min(w[1].1), w[0].1.max(w[1].1));
                for b in y0 / BLOCK..=y1 / BLOCK {
                    blocks[b as usize].push(id);
                }
            }
        }
        let mut order: Vec<Vec<usize>> = by_layer
            .iter()
            .map(|l| l.iter().copied().filter(|&v| v < n).collect())
            .collect();
        for col in &mut order {
            col.sort_unstable_by_key(|&v| top[v]);
        }
        Layout {
            graph,
            columns,
            boxes,
            order,
            paths,
            pieces,
            width,
            height: height + 1,
            crossings: best_crossings,
            blocks,
        }
    }

    /// What is wrong with this layout, if anything (for tests; empty when it holds): boxes of
    /// a column apart and in order, every edge from its source's border (at one of its
    /// ports) to just before its target, in straight pieces, and no two edges' lines on the
    /// same cells except where they cross.
    pub fn violations(&self) -> Vec<String> {
        let mut out = Vec::new();
        let g = &self.graph;
        if self.boxes.len() != g.nodes.len() {
            out.push("not one box per node".into());
            return out;
        }
        for (c, col) in self.order.iter().enumerate() {
            for w in col.windows(2) {
                if self.boxes[w[0]].bottom() >= self.boxes[w[1]].y {
                    out.push(format!("boxes {} and {} overlap in column {c}", w[0], w[1]));
                }
            }
            for &b in col {
                let bx = &self.boxes[b];
                if bx.x != self.columns[c].x
                    || bx.x + bx.w >= self.width
                    || bx.bottom() > self.height
                {
                    out.push(format!("box {b} outside its column or the drawing"));
                }
                if !bx.y.is_multiple_of(2)
                    || bx
                        .out_ports
                        .iter()
                        .any(|p| p % 2 != 1 || *p <= bx.y || *p + 1 >= bx.bottom())
                {
                    out.push(format!("box {b}: top or ports on the wrong rows"));
                }
            }
        }
        let mut horizontal: Vec<(u32, u32, u32, u32)> = Vec::new();
        let mut vertical: Vec<(u32, u32, u32, u32)> = Vec::new();
        for (i, p) in self.paths.iter().enumerate() {
            let e = &g.edges[p.edge];
            let (src, dst) = (&self.boxes[e.from], &self.boxes[e.to]);
            let (first, last) = (p.points[0], p.points[p.points.len() - 1]);
            if first.0 != src.x + src.w - 1 || !src.out_ports.contains(&first.1) {
                out.push(format!(
                    "edge {} does not leave from a port of its source",
                    p.edge
                ));
            }
            if last.0 + 1 != dst.x
                || last.1 <= dst.y
                || last.1 + 1 >= dst.bottom()
                || last.1 % 2 != 0
            {
                out.push(format!(
                    "edge {} does not reach a port of its target",
                    p.edge
                ));
            }
            for w in p.points.windows(2) {
                let ((ax, ay), (bx, by)) = (w[0], w[1]);
                if ay == by && ax != bx {
                    horizontal.push((ay, ax.min(bx), ax.max(bx), i as u32));
                } else if ax == bx && ay != by {
                    vertical.push((ax, ay.min(by), ay.max(by), i as u32));
                } else {
                    out.push(format!("edge {}: a piece that is not straight", p.edge));
                }
            }
        }
        for (what, lines) in [("row", &mut horizontal), ("column", &mut vertical)] {
            lines.sort_unstable();
            for w in lines.windows(2) {
                let (a, b) = (w[0], w[1]);
                if a.0 == b.0 && b.1 <= a.2 && !(a.3 == b.3 && b.1 == a.2) {
                    out.push(format!("edges {} and {} share {what} {}", a.3, b.3, a.0));
                }
            }
        }
        out
    }

    /// The pieces that may touch rows `y0..y1`, each once, in order.
    pub fn pieces_in(&self, y0: u32, y1: u32) -> Vec<u32> {
        let mut out = Vec::new();
        if y1 <= y0 {
            return out;
        }
        let last = ((y1 - 1) / BLOCK) as usize;
        for b in (y0 / BLOCK) as usize..=last.min(self.blocks.len().saturating_sub(1)) {
            out.extend_from_slice(&self.blocks[b]);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The boxes of column `c` (index into `columns`) that touch rows `y0..y1`.
    pub fn boxes_in(&self, c: usize, y0: u32, y1: u32) -> &[usize] {
        let col = &self.order[c];
        let start = col.partition_point(|&b| self.boxes[b].bottom() <= y0);
        let end = col.partition_point(|&b| self.boxes[b].y < y1);
        &col[start..end.max(start)]
    }
}

#[cfg(test)]
mod tests {
    use super::count_crossings;

    #[test]
    fn crossings_are_counted_as_a_brute_force_count_does() {
        // A small deterministic pseudo-random bipartite graph, many times over.
        let mut seed = 7u64;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % m) as usize
        };
        let mut tree = Vec::new();
        for _ in 0..200 {
            let (left, right) = (1 + next(8), 1 + next(8));
            let mut edges: Vec<(usize, usize)> = Vec::new();
            for u in 0..left {
                for _ in 0..next(4) {
                    edges.push((u, next(right as u64)));
                }
            }
            let mut brute = 0;
            for a in &edges {
                for b in &edges {
                    if a.0 < b.0 && a.1 > b.1 {
                        brute += 1;
                    }
                }
            }
            let mut targets = Vec::new();
            let mut ranges = Vec::new();
            for u in 0..left {
                let start = targets.len();
                // Out of order on purpose: the count sorts each vertex's own edges.
                targets.extend(edges.iter().rev().filter(|e| e.0 == u).map(|e| e.1));
                ranges.push((start, targets.len()));
            }
            assert_eq!(
                count_crossings(&mut targets, &ranges, right, &mut tree),
                brute,
                "{edges:?}"
            );
        }
    }
}
