//! The serialized form of a [`Tree`].
//!
//! Written (bundle format v2): a struct with the nodes and the leaf values as
//! raw little-endian byte blobs, so a binary format (MessagePack `bin`) copies
//! them in one piece instead of encoding every number on its own:
//!
//! * `nodes`: 16 bytes per node, `threshold` (f64 bits), `feature` (u32),
//!   `left` (u32), in node order (see [`Node`]);
//! * `leaf_values`: 8 bytes (f64 bits) per leaf output;
//! * `n_outputs`, `importances` (numbers), `max_depth`.
//!
//! Read: that form, or the struct-of-arrays form of format v1 (`feature`,
//! `threshold`, `left`, `right`, `value`, `values` as arrays of numbers, leaves
//! marked by `threshold == f64::MAX` and a `value` offset), converted to nodes.
//! The two forms have different field names, so a text format (JSON writes a
//! blob as an array of byte values) is never ambiguous. Decoding checks only
//! what the conversion needs; [`Tree::validate`] checks the rest.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::tree::{Node, Tree};

/// A fixed-size little-endian record of a blob.
trait Record: Sized {
    /// Bytes per record.
    const BYTES: usize;
    /// What a blob of these records is, for error messages.
    const WHAT: &'static str;
    /// Appends the record's bytes.
    fn put(&self, out: &mut Vec<u8>);
    /// Reads a record from exactly [`Record::BYTES`] bytes.
    fn get(chunk: &[u8]) -> Self;
}

impl Record for Node {
    const BYTES: usize = Node::BYTES;
    const WHAT: &'static str = "a byte blob of 16-byte tree nodes";

    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }

    fn get(chunk: &[u8]) -> Self {
        let mut b = [0u8; Node::BYTES];
        b.copy_from_slice(chunk);
        Node::from_le_bytes(&b)
    }
}

impl Record for f64 {
    const BYTES: usize = 8;
    const WHAT: &'static str = "a byte blob of 8-byte floats";

    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bits().to_le_bytes());
    }

    fn get(chunk: &[u8]) -> Self {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        f64::from_bits(u64::from_le_bytes(b))
    }
}

/// Serializes records as one byte string.
struct BlobRef<'a, T>(&'a [T]);

impl<T: Record> Serialize for BlobRef<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::with_capacity(self.0.len() * T::BYTES);
        for r in self.0 {
            r.put(&mut bytes);
        }
        s.serialize_bytes(&bytes)
    }
}

/// Records read from one byte string (or, from text formats, a sequence of
/// byte values).
struct Blob<T>(Vec<T>);

impl<'de, T: Record> Deserialize<'de> for Blob<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_bytes(BlobVisitor(PhantomData))
    }
}

struct BlobVisitor<T>(PhantomData<T>);

impl<'de, T: Record> Visitor<'de> for BlobVisitor<T> {
    type Value = Blob<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::WHAT)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        if v.len() % T::BYTES != 0 {
            return Err(E::invalid_length(v.len(), &self));
        }
        Ok(Blob(v.chunks_exact(T::BYTES).map(T::get).collect()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // never trust a stated length for the allocation
        let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
        while let Some(b) = seq.next_element::<u8>()? {
            bytes.push(b);
        }
        self.visit_bytes(&bytes)
    }
}

impl Serialize for Tree {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Tree", 5)?;
        st.serialize_field("nodes", &BlobRef(&self.nodes))?;
        st.serialize_field("leaf_values", &BlobRef(&self.values))?;
        st.serialize_field("n_outputs", &self.n_outputs)?;
        st.serialize_field("importances", &self.importances)?;
        st.serialize_field("max_depth", &self.max_depth)?;
        st.end()
    }
}

/// Every field either form may have.
#[derive(Deserialize)]
struct TreeRepr {
    // v2
    #[serde(default)]
    nodes: Option<Blob<Node>>,
    #[serde(default)]
    leaf_values: Option<Blob<f64>>,
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
        let TreeRepr {
            nodes,
            leaf_values,
            feature,
            threshold,
            left,
            right,
            value,
            values,
            n_outputs,
            importances,
            max_depth,
        } = TreeRepr::deserialize(d)?;
        let v1 = (feature, threshold, left, right, value, values);
        let (nodes, values) = match (nodes, leaf_values, v1) {
            (Some(nodes), Some(values), (None, None, None, None, None, None)) => {
                (nodes.0, values.0)
            }
            (
                None,
                None,
                (Some(feature), Some(threshold), Some(left), Some(right), Some(value), Some(values)),
            ) => {
                let arrays = V1Arrays {
                    feature,
                    threshold,
                    left,
                    right,
                    value,
                };
                (arrays.into_nodes().map_err(de::Error::custom)?, values)
            }
            _ => {
                return Err(de::Error::custom(
                    "a tree needs either `nodes` and `leaf_values` (format v2) or \
                     `feature`, `threshold`, `left`, `right`, `value` and `values` (format v1), \
                     and not both",
                ));
            }
        };
        Ok(Tree {
            nodes,
            values,
            n_outputs,
            importances,
            max_depth,
        })
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
    /// `feature == 0`, `threshold == f64::MAX`.
    fn into_nodes(self) -> Result<Vec<Node>, String> {
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
                nodes.push(Node::leaf(l, self.value[i]));
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

    #[test]
    fn v2_form_round_trips_through_json_with_blobs() {
        let t = stump();
        let json = serde_json::to_value(&t).unwrap();
        // blobs are byte strings: a text format writes their byte values
        assert_eq!(json["nodes"].as_array().unwrap().len(), 3 * 16);
        assert_eq!(json["leaf_values"].as_array().unwrap().len(), 4 * 8);
        assert_eq!(json["nodes"][8], 1); // feature of node 0, first byte
        assert_eq!(json["nodes"][12], 1); // left child of node 0
        let back: Tree = serde_json::from_value(json).unwrap();
        assert_eq!(back, t);
        back.validate(2, 2, true).unwrap();
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
        ];
        for (field, i, v, expect) in cases {
            let mut json = v1_stump_json();
            json[field][i] = v;
            let err = serde_json::from_value::<Tree>(json).unwrap_err().to_string();
            assert!(err.contains(expect), "{field}[{i}]: {err}");
        }
        let mut json = v1_stump_json();
        json["value"].as_array_mut().unwrap().pop();
        let err = serde_json::from_value::<Tree>(json).unwrap_err().to_string();
        assert!(err.contains("different lengths"), "{err}");
    }

    #[test]
    fn mixed_or_partial_forms_are_refused() {
        let mut json = v1_stump_json();
        json["nodes"] = serde_json::json!([]);
        json["leaf_values"] = serde_json::json!([]);
        assert!(serde_json::from_value::<Tree>(json).is_err());
        let mut json = v1_stump_json();
        json.as_object_mut().unwrap().remove("left");
        let err = serde_json::from_value::<Tree>(json).unwrap_err().to_string();
        assert!(err.contains("format v1"), "{err}");
    }

    #[test]
    fn blob_lengths_must_be_whole_records() {
        let mut json = serde_json::to_value(stump()).unwrap();
        json["nodes"].as_array_mut().unwrap().pop();
        let err = serde_json::from_value::<Tree>(json).unwrap_err().to_string();
        assert!(err.contains("invalid length 47"), "{err}");
        assert!(err.contains("16-byte tree nodes"), "{err}");
        let mut json = serde_json::to_value(stump()).unwrap();
        json["leaf_values"].as_array_mut().unwrap().push(0.into());
        let err = serde_json::from_value::<Tree>(json).unwrap_err().to_string();
        assert!(err.contains("8-byte floats"), "{err}");
    }
}
