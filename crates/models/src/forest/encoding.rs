//! The serialized form of a [`Tree`].
//!
//! Written (bundle format v2): columns of the nodes as byte blobs, so a binary
//! format (MessagePack `bin`) copies each in one piece instead of encoding every
//! number on its own, and no byte is spent on what the structure implies:
//!
//! * `n_nodes`: number of nodes;
//! * `leaf_bits`: `ceil(n_nodes / 8)` bytes, bit `i % 8` of byte `i / 8` set when
//!   node `i` is a leaf (unused high bits zero);
//! * for the internal nodes, in id order: `features` (packed integers, below),
//!   `thresholds` (8-byte little-endian f64 each) and `children` (packed: the left
//!   child; the right one is `left + 1`);
//! * for the leaves, in id order: `leaf_outputs` (packed: which row of
//!   `leaf_values` holds the leaf's output);
//! * `leaf_values`: the distinct output rows, `n_outputs` f64 each (8 bytes
//!   little-endian);
//! * `n_outputs`, `importances` (numbers), `max_depth`.
//!
//! A *packed* column is one byte giving the width `w` (1, 2 or 4), then one
//! `w`-byte little-endian unsigned integer per entry: the writer picks the
//! smallest width that holds the largest entry.
//!
//! Read: that form, or the struct-of-arrays form of format v1 (`feature`,
//! `threshold`, `left`, `right`, `value`, `values` as arrays of numbers, leaves
//! marked by `threshold == f64::MAX` and a `value` offset), converted to nodes.
//! The two forms share no node field name, so a text format (JSON writes a blob
//! as an array of byte values) is never ambiguous. Decoding checks what it needs
//! to build the nodes (lengths, counts, widths) before allocating them;
//! [`Tree::validate`] checks the rest.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::tree::{Node, Tree};

/// How a blob's bytes are checked and what it is called in errors.
trait BlobKind {
    /// What the blob is, for error messages.
    const WHAT: &'static str;
    /// Whether `bytes` has a valid length (and header).
    fn well_formed(bytes: &[u8]) -> bool;
}

/// Bytes without structure (`leaf_bits`).
struct Raw;

impl BlobKind for Raw {
    const WHAT: &'static str = "a byte blob";
    fn well_formed(_: &[u8]) -> bool {
        true
    }
}

/// 8-byte little-endian floats.
struct F64s;

impl BlobKind for F64s {
    const WHAT: &'static str = "a byte blob of 8-byte floats";
    fn well_formed(bytes: &[u8]) -> bool {
        bytes.len().is_multiple_of(8)
    }
}

/// A width byte (1, 2 or 4) and integers of that width.
struct Packed;

impl BlobKind for Packed {
    const WHAT: &'static str =
        "a byte blob of packed integers (a width byte 1, 2 or 4, then whole integers)";
    fn well_formed(bytes: &[u8]) -> bool {
        match bytes.first() {
            Some(&w @ (1 | 2 | 4)) => (bytes.len() - 1).is_multiple_of(usize::from(w)),
            _ => false,
        }
    }
}

/// The bytes of one blob, checked to be well formed for `K`: borrowed from the
/// input when the format allows (MessagePack read from a slice), so decoding
/// copies each blob only into the nodes it builds.
struct Blob<'de, K> {
    bytes: Cow<'de, [u8]>,
    kind: PhantomData<K>,
}

impl<'de: 'a, 'a, K: BlobKind> Deserialize<'de> for Blob<'a, K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_bytes(BlobVisitor(PhantomData))
    }
}

struct BlobVisitor<'a, K>(PhantomData<(&'a (), K)>);

impl<'a, K: BlobKind> BlobVisitor<'a, K> {
    fn checked<E: de::Error>(self, bytes: Cow<'a, [u8]>) -> Result<Blob<'a, K>, E> {
        if !K::well_formed(&bytes) {
            return Err(E::invalid_length(bytes.len(), &self));
        }
        Ok(Blob {
            bytes,
            kind: PhantomData,
        })
    }
}

impl<'de: 'a, 'a, K: BlobKind> Visitor<'de> for BlobVisitor<'a, K> {
    type Value = Blob<'a, K>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(K::WHAT)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
        self.checked(Cow::Borrowed(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        self.checked(Cow::Owned(v.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
        self.checked(Cow::Owned(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // never trust a stated length for the allocation
        let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
        while let Some(b) = seq.next_element::<u8>()? {
            bytes.push(b);
        }
        self.visit_byte_buf(bytes)
    }
}

impl Blob<'_, F64s> {
    fn len(&self) -> usize {
        self.bytes.len() / 8
    }

    fn to_f64s(&self) -> Vec<f64> {
        self.bytes.chunks_exact(8).map(f64_at).collect()
    }
}

fn f64_at(c: &[u8]) -> f64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(c);
    f64::from_bits(u64::from_le_bytes(b))
}

impl Blob<'_, Packed> {
    /// Width of an entry in bytes (1, 2 or 4).
    fn width(&self) -> usize {
        self.bytes.first().map_or(1, |&w| usize::from(w))
    }

    fn len(&self) -> usize {
        self.bytes.len().saturating_sub(1) / self.width()
    }

    /// The entries in order, plus one 0 at the end (so a cursor one past the
    /// last entry still reads in bounds).
    fn to_u32s_padded(&self) -> Vec<u32> {
        let data = self.bytes.get(1..).unwrap_or(&[]);
        let mut out: Vec<u32> = match self.width() {
            1 => data.iter().map(|&b| u32::from(b)).collect(),
            2 => data
                .chunks_exact(2)
                .map(|c| u32::from(u16::from_le_bytes([c[0], c[1]])))
                .collect(),
            _ => data
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        };
        out.push(0);
        out
    }
}

/// Serializes bytes as one byte string.
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

/// A packed column of `values` (smallest width that holds the largest).
fn pack(values: &[u32]) -> Vec<u8> {
    let max = values.iter().copied().max().unwrap_or(0);
    let w: usize = if max <= 0xFF {
        1
    } else if max <= 0xFFFF {
        2
    } else {
        4
    };
    let mut out = Vec::with_capacity(1 + values.len() * w);
    out.push(w as u8);
    for v in values {
        out.extend_from_slice(&v.to_le_bytes()[..w]);
    }
    out
}

fn f64_bytes(values: impl IntoIterator<Item = f64>) -> Vec<u8> {
    values
        .into_iter()
        .flat_map(|v| v.to_bits().to_le_bytes())
        .collect()
}

impl Serialize for Tree {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.nodes.len();
        let mut leaf_bits = vec![0u8; n.div_ceil(8)];
        let (mut features, mut thresholds, mut children, mut outputs) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (i, node) in self.nodes.iter().enumerate() {
            if node.left as usize == i {
                leaf_bits[i / 8] |= 1 << (i % 8);
                outputs.push(node.leaf_row().unwrap_or(0));
            } else {
                features.push(node.feature);
                thresholds.push(node.threshold);
                children.push(node.left);
            }
        }
        let mut st = s.serialize_struct("Tree", 10)?;
        st.serialize_field("n_nodes", &n)?;
        st.serialize_field("leaf_bits", &Bytes(&leaf_bits))?;
        st.serialize_field("features", &Bytes(&pack(&features)))?;
        st.serialize_field("thresholds", &Bytes(&f64_bytes(thresholds)))?;
        st.serialize_field("children", &Bytes(&pack(&children)))?;
        st.serialize_field("leaf_outputs", &Bytes(&pack(&outputs)))?;
        st.serialize_field(
            "leaf_values",
            &Bytes(&f64_bytes(self.values.iter().copied())),
        )?;
        st.serialize_field("n_outputs", &self.n_outputs)?;
        st.serialize_field("importances", &self.importances)?;
        st.serialize_field("max_depth", &self.max_depth)?;
        st.end()
    }
}

/// Every field either form may have.
#[derive(Deserialize)]
struct TreeRepr<'a> {
    // v2
    #[serde(default)]
    n_nodes: Option<u64>,
    #[serde(default, borrow)]
    leaf_bits: Option<Blob<'a, Raw>>,
    #[serde(default, borrow)]
    features: Option<Blob<'a, Packed>>,
    #[serde(default, borrow)]
    thresholds: Option<Blob<'a, F64s>>,
    #[serde(default, borrow)]
    children: Option<Blob<'a, Packed>>,
    #[serde(default, borrow)]
    leaf_outputs: Option<Blob<'a, Packed>>,
    #[serde(default, borrow)]
    leaf_values: Option<Blob<'a, F64s>>,
    // v1
    #[serde(default)]
    feature: Option<Vec<u32>>,
    #[serde(default)]
    threshold: Option<Vec<f64>>,
    #[serde(default)]
    left: Option<Vec<u32>>,
    #[serde(default)]
    right: Option<Vec<u32>>,
    #[serde(default)]
    value: Option<Vec<u32>>,
    #[serde(default)]
    values: Option<Vec<f64>>,
    // both
    n_outputs: usize,
    importances: Vec<f64>,
    max_depth: u32,
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = TreeRepr::deserialize(d)?;
        let v1 = (r.feature, r.threshold, r.left, r.right, r.value, r.values);
        let v2 = (
            r.n_nodes,
            r.leaf_bits,
            r.features,
            r.thresholds,
            r.children,
            r.leaf_outputs,
            r.leaf_values,
        );
        let (nodes, values) = match (v2, v1) {
            (
                (
                    Some(n),
                    Some(bits),
                    Some(features),
                    Some(thresholds),
                    Some(children),
                    Some(outputs),
                    Some(values),
                ),
                (None, None, None, None, None, None),
            ) => {
                let columns = V2Columns {
                    n_nodes: n,
                    leaf_bits: bits.bytes,
                    features,
                    thresholds,
                    children,
                    outputs,
                };
                let nodes = columns.into_nodes().map_err(de::Error::custom)?;
                (nodes, values.to_f64s())
            }
            (
                (None, None, None, None, None, None, None),
                (
                    Some(feature),
                    Some(threshold),
                    Some(left),
                    Some(right),
                    Some(value),
                    Some(values),
                ),
            ) => {
                let arrays = V1Arrays {
                    feature,
                    threshold,
                    left,
                    right,
                    value,
                };
                let nodes = arrays.into_nodes(r.n_outputs).map_err(de::Error::custom)?;
                (nodes, values)
            }
            _ => {
                return Err(de::Error::custom(
                    "a tree needs either `n_nodes`, `leaf_bits`, `features`, `thresholds`, \
                     `children`, `leaf_outputs` and `leaf_values` (format v2) or `feature`, \
                     `threshold`, `left`, `right`, `value` and `values` (format v1), and not both",
                ));
            }
        };
        Ok(Tree {
            nodes,
            values,
            n_outputs: r.n_outputs,
            importances: r.importances,
            max_depth: r.max_depth,
        })
    }
}

/// The node columns of a format-v2 tree.
struct V2Columns<'a> {
    n_nodes: u64,
    leaf_bits: Cow<'a, [u8]>,
    features: Blob<'a, Packed>,
    thresholds: Blob<'a, F64s>,
    children: Blob<'a, Packed>,
    outputs: Blob<'a, Packed>,
}

impl V2Columns<'_> {
    /// Builds the nodes once the column lengths agree with the leaf bits (so the
    /// allocation is bounded by the data present).
    fn into_nodes(self) -> Result<Vec<Node>, String> {
        let bad = |m: String| Err(format!("format v2 tree: {m}"));
        let n = match usize::try_from(self.n_nodes) {
            Ok(n) if n < u32::MAX as usize => n,
            _ => return bad(format!("{} nodes are too many", self.n_nodes)),
        };
        if self.leaf_bits.len() != n.div_ceil(8) {
            return bad(format!(
                "{} bytes of leaf bits for {n} nodes, expected {}",
                self.leaf_bits.len(),
                n.div_ceil(8)
            ));
        }
        if n % 8 != 0 && self.leaf_bits.last().is_some_and(|&b| b >> (n % 8) != 0) {
            return bad("leaf bits are set past the last node".into());
        }
        let n_leaves = self
            .leaf_bits
            .iter()
            .map(|b| b.count_ones() as usize)
            .sum::<usize>();
        let n_internal = n - n_leaves;
        let lens = [
            ("features", self.features.len(), n_internal),
            ("thresholds", self.thresholds.len(), n_internal),
            ("children", self.children.len(), n_internal),
            ("leaf_outputs", self.outputs.len(), n_leaves),
        ];
        for (name, got, want) in lens {
            if got != want {
                return bad(format!(
                    "{name} has {got} entries for {want} {} nodes",
                    if name == "leaf_outputs" {
                        "leaf"
                    } else {
                        "internal"
                    }
                ));
            }
        }
        // Columns as plain arrays (each padded by one entry), then one pass that
        // picks the next leaf or the next internal node for every id without a
        // branch on the unpredictable leaf bit.
        let features = self.features.to_u32s_padded();
        let children = self.children.to_u32s_padded();
        let rows = self.outputs.to_u32s_padded();
        let mut thresholds = self.thresholds.to_f64s();
        thresholds.push(0.0);
        let (mut li, mut si) = (0usize, 0usize);
        let mut nodes = Vec::with_capacity(n);
        for i in 0..n {
            let leaf = self.leaf_bits[i / 8] >> (i % 8) & 1 == 1;
            let as_leaf = Node::leaf(i as u32, rows[li]);
            let as_split = Node::split(features[si], thresholds[si], children[si]);
            nodes.push(if leaf { as_leaf } else { as_split });
            li += usize::from(leaf);
            si += usize::from(!leaf);
        }
        Ok(nodes)
    }
}

/// The node arrays of a format-v1 tree.
struct V1Arrays {
    feature: Vec<u32>,
    threshold: Vec<f64>,
    left: Vec<u32>,
    right: Vec<u32>,
    value: Vec<u32>,
}

impl V1Arrays {
    /// Converts to nodes, refusing what v1's validation refused and the nodes
    /// cannot express: arrays of different lengths, a right child other than
    /// `left + 1`, a leaf (`left == id`) that is not `right == id`,
    /// `feature == 0`, `threshold == f64::MAX`, or whose value offset is not a
    /// whole row of `n_outputs` values (v1 writers only wrote whole rows).
    fn into_nodes(self, n_outputs: usize) -> Result<Vec<Node>, String> {
        let k = n_outputs.max(1);
        let n = self.feature.len();
        let lens = [
            self.threshold.len(),
            self.left.len(),
            self.right.len(),
            self.value.len(),
        ];
        if lens.iter().any(|&l| l != n) {
            return Err(format!(
                "format v1 tree: node arrays have different lengths \
                 (feature {n}, threshold {}, left {}, right {}, value {})",
                lens[0], lens[1], lens[2], lens[3]
            ));
        }
        let mut nodes = Vec::with_capacity(n);
        for i in 0..n {
            let (l, r) = (self.left[i], self.right[i]);
            if l as usize == i {
                if r != l || self.feature[i] != 0 || self.threshold[i] != f64::MAX {
                    return Err(format!(
                        "format v1 tree: leaf {i} is not a proper self-loop"
                    ));
                }
                let o = self.value[i] as usize;
                if !o.is_multiple_of(k) {
                    return Err(format!(
                        "format v1 tree: leaf {i} value offset {o} is not a multiple of {k} outputs"
                    ));
                }
                nodes.push(Node::leaf(l, (o / k) as u32));
            } else {
                if u64::from(r) != u64::from(l) + 1 {
                    return Err(format!(
                        "format v1 tree: node {i} has children ({l}, {r}); they must be consecutive"
                    ));
                }
                nodes.push(Node::split(self.feature[i], self.threshold[i], l));
            }
        }
        Ok(nodes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::tests::stump;
    use super::*;

    /// The stump in the v1 struct-of-arrays form, as JSON.
    fn v1_stump_json() -> serde_json::Value {
        serde_json::json!({
            "feature": [1, 0, 0],
            "threshold": [0.5, f64::MAX, f64::MAX],
            "left": [1, 1, 2],
            "right": [2, 1, 2],
            "value": [u32::MAX, 0, 2],
            "values": [1.0, 0.0, 0.25, 0.75],
            "n_outputs": 2,
            "importances": [0.0, 1.0],
            "max_depth": 1
        })
    }

    fn bytes(json: &serde_json::Value) -> Vec<u8> {
        json.as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_u64().unwrap() as u8)
            .collect()
    }

    #[test]
    fn v2_columns_hold_what_the_structure_does_not_imply() {
        let t = stump();
        let json = serde_json::to_value(&t).unwrap();
        // blobs are byte strings: a text format writes their byte values
        assert_eq!(json["n_nodes"], 3);
        assert_eq!(bytes(&json["leaf_bits"]), [0b110]);
        assert_eq!(bytes(&json["features"]), [1, 1]);
        assert_eq!(bytes(&json["thresholds"]), 0.5f64.to_le_bytes());
        assert_eq!(bytes(&json["children"]), [1, 1]);
        assert_eq!(bytes(&json["leaf_outputs"]), [1, 0, 1]);
        assert_eq!(bytes(&json["leaf_values"]).len(), 4 * 8);
        let back: Tree = serde_json::from_value(json).unwrap();
        assert_eq!(back, t);
        back.validate(2, 2, true).unwrap();
    }

    #[test]
    fn packed_columns_take_the_smallest_width() {
        assert_eq!(pack(&[]), [1]);
        assert_eq!(pack(&[3, 255]), [1, 3, 255]);
        assert_eq!(pack(&[256, 1]), [2, 0, 1, 1, 0]);
        assert_eq!(pack(&[0x1_0000]), [4, 0, 0, 1, 0]);
        for values in [vec![7u32, 0, 255], vec![65_535, 2], vec![u32::MAX, 1, 0]] {
            let blob = Blob::<Packed> {
                bytes: Cow::Owned(pack(&values)),
                kind: PhantomData,
            };
            assert!(Packed::well_formed(&blob.bytes));
            assert_eq!(blob.len(), values.len());
            let mut padded = values.clone();
            padded.push(0);
            assert_eq!(blob.to_u32s_padded(), padded);
        }
        assert!(!Packed::well_formed(&[]));
        assert!(!Packed::well_formed(&[3, 0, 0, 0]));
        assert!(!Packed::well_formed(&[2, 0, 0, 0]));
    }

    #[test]
    fn v1_form_converts_to_the_same_tree() {
        let back: Tree = serde_json::from_value(v1_stump_json()).unwrap();
        assert_eq!(back, stump());
    }

    #[test]
    fn v1_inconsistencies_are_decode_errors() {
        let cases = [
            ("right", 0, serde_json::json!(3), "consecutive"),
            ("right", 1, serde_json::json!(2), "self-loop"),
            ("threshold", 2, serde_json::json!(1.0), "self-loop"),
            ("feature", 1, serde_json::json!(1), "self-loop"),
            ("value", 2, serde_json::json!(3), "multiple of 2"),
        ];
        for (field, i, v, expect) in cases {
            let mut json = v1_stump_json();
            json[field][i] = v;
            let err = serde_json::from_value::<Tree>(json)
                .unwrap_err()
                .to_string();
            assert!(err.contains(expect), "{field}[{i}]: {err}");
        }
        let mut json = v1_stump_json();
        json["value"].as_array_mut().unwrap().pop();
        let err = serde_json::from_value::<Tree>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains("different lengths"), "{err}");
    }

    #[test]
    fn mixed_or_partial_forms_are_refused() {
        let mut json = v1_stump_json();
        let v2 = serde_json::to_value(stump()).unwrap();
        json["n_nodes"] = v2["n_nodes"].clone();
        assert!(serde_json::from_value::<Tree>(json).is_err());
        let mut json = v1_stump_json();
        json.as_object_mut().unwrap().remove("left");
        let err = serde_json::from_value::<Tree>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains("format v1"), "{err}");
        let mut json = v2;
        json.as_object_mut().unwrap().remove("children");
        let err = serde_json::from_value::<Tree>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains("format v2"), "{err}");
    }

    #[test]
    fn inconsistent_v2_columns_are_decode_errors() {
        type Edit = Box<dyn Fn(&mut serde_json::Value)>;
        let cases: Vec<(Edit, &str)> = vec![
            (Box::new(|j| j["n_nodes"] = 9.into()), "leaf bits"),
            (Box::new(|j| j["n_nodes"] = u64::MAX.into()), "too many"),
            (
                Box::new(|j| j["leaf_bits"][0] = 0b1110.into()),
                "past the last",
            ),
            (
                Box::new(|j| j["leaf_bits"][0] = 0b010.into()),
                "features has 1 entries for 2",
            ),
            (
                Box::new(|j| j["features"] = serde_json::json!([1])),
                "features has 0 entries for 1",
            ),
            (
                Box::new(|j| j["children"] = serde_json::json!([2, 1, 0, 1, 0])),
                "children has 2",
            ),
            (
                Box::new(|j| j["thresholds"].as_array_mut().unwrap().truncate(7)),
                "8-byte floats",
            ),
            (
                Box::new(|j| j["leaf_outputs"] = serde_json::json!([3, 0, 0, 1])),
                "packed integers",
            ),
            (
                Box::new(|j| j["leaf_outputs"] = serde_json::json!([])),
                "packed integers",
            ),
        ];
        for (edit, expect) in cases {
            let mut json = serde_json::to_value(stump()).unwrap();
            edit(&mut json);
            let err = serde_json::from_value::<Tree>(json)
                .unwrap_err()
                .to_string();
            assert!(err.contains(expect), "{expect}: {err}");
        }
        // in range for decoding, but not for the model: validation refuses it
        let mut json = serde_json::to_value(stump()).unwrap();
        json["leaf_outputs"] = serde_json::json!([1, 9, 0]);
        let t: Tree = serde_json::from_value(json).unwrap();
        assert!(t.validate(2, 2, true).is_err());
    }
}
