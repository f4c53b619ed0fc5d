//! MessagePack payloads as `serde_json::Value`, for structure-aware mutation, with the
//! byte blobs of format v2 trees opened up into numbers.
//!
//! A `bin` value becomes `{"$bin": [byte, ...]}`, except under two keys:
//!
//! * `nodes` (tree nodes, 16 bytes each): one array `[threshold_hi, threshold_lo, feature,
//!   left]` of four `u32` per node, so a leaf's tag (`threshold_hi`) and value offset
//!   (`threshold_lo`) are numbers of their own;
//! * `leaf_values` (8 bytes each): one float per value.
//!
//! [`encode`] packs them back. A number that does not fit its slot is cut to its low 32
//! bits (floats saturate), so a hostile value still lands in the blob; a node array that
//! lost or gained numbers makes a blob whose length is not a whole number of nodes.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The key a `bin` value is wrapped under.
const BIN: &str = "$bin";

/// Decodes a MessagePack payload, opening tree blobs (see the module docs).
pub fn decode(payload: &[u8]) -> Value {
    let Json(mut v) = rmp_serde::from_slice(payload).unwrap();
    open_blobs(&mut v, None);
    v
}

/// Encodes a value made by [`decode`] (and maybe mutated) back to MessagePack.
pub fn encode(v: &Value) -> Vec<u8> {
    let mut v = v.clone();
    close_blobs(&mut v, None);
    rmp_serde::to_vec_named(&Enc(&v)).unwrap()
}

fn open_blobs(v: &mut Value, key: Option<&str>) {
    match v {
        Value::Object(m) => {
            if let (Some(k @ ("nodes" | "leaf_values")), Some(Value::Array(bytes))) =
                (key, m.get(BIN))
            {
                let bytes: Vec<u8> = bytes.iter().map(|b| b.as_u64().unwrap() as u8).collect();
                *v = if k == "nodes" {
                    bytes
                        .chunks(16)
                        .map(|c| {
                            c.chunks(4)
                                .map(|w| {
                                    let mut a = [0u8; 4];
                                    a[..w.len()].copy_from_slice(w);
                                    u32::from_le_bytes(a)
                                })
                                .collect::<Vec<u32>>()
                        })
                        // threshold bytes 0..8 are little-endian: low word first
                        .map(|q| match q.as_slice() {
                            [lo, hi, f, l] => serde_json::json!([hi, lo, f, l]),
                            other => serde_json::json!(other),
                        })
                        .collect()
                } else {
                    bytes
                        .chunks(8)
                        .map(|c| {
                            let mut a = [0u8; 8];
                            a[..c.len()].copy_from_slice(c);
                            serde_json::json!(f64::from_le_bytes(a))
                        })
                        .collect()
                };
                return;
            }
            for (k, x) in m.iter_mut() {
                open_blobs(x, Some(k.as_str()));
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| open_blobs(x, None)),
        _ => {}
    }
}

fn low_u32(n: &Value) -> u32 {
    if let Some(u) = n.as_u64() {
        u as u32
    } else if let Some(i) = n.as_i64() {
        i as u32
    } else {
        n.as_f64().unwrap_or(0.0) as u32
    }
}

fn close_blobs(v: &mut Value, key: Option<&str>) {
    match (key, &mut *v) {
        (Some("nodes"), Value::Array(nodes)) => {
            let mut bytes = Vec::new();
            for node in nodes.iter() {
                let words: Vec<u32> = match node {
                    Value::Array(q) => q.iter().map(low_u32).collect(),
                    other => vec![low_u32(other)],
                };
                // back to [lo, hi, feature, left] in byte order
                let words = match words.as_slice() {
                    [hi, lo, rest @ ..] => [&[*lo, *hi][..], rest].concat(),
                    other => other.to_vec(),
                };
                for w in words {
                    bytes.extend_from_slice(&w.to_le_bytes());
                }
            }
            *v = bin(bytes);
        }
        (Some("leaf_values"), Value::Array(values)) => {
            let bytes = values
                .iter()
                .flat_map(|x| x.as_f64().unwrap_or(0.0).to_le_bytes())
                .collect();
            *v = bin(bytes);
        }
        (_, Value::Object(m)) => {
            for (k, x) in m.iter_mut() {
                close_blobs(x, Some(k.as_str()));
            }
        }
        (_, Value::Array(a)) => a.iter_mut().for_each(|x| close_blobs(x, None)),
        _ => {}
    }
}

fn bin(bytes: Vec<u8>) -> Value {
    let mut m = Map::new();
    m.insert(BIN.into(), bytes.into());
    Value::Object(m)
}

/// Any MessagePack value, `bin` included, as JSON.
struct Json(Value);

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any MessagePack value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json(v.into()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(Json(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json(v.into()))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Json, E> {
        Ok(Json(bin(v.to_vec())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json(Value::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        Json::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut out = Vec::new();
        while let Some(Json(x)) = seq.next_element()? {
            out.push(x);
        }
        Ok(Json(Value::Array(out)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        while let Some((k, Json(x))) = map.next_entry::<String, Json>()? {
            out.insert(k, x);
        }
        Ok(Json(Value::Object(out)))
    }
}

/// Writes JSON as MessagePack, `{"$bin": [...]}` as `bin`.
struct Enc<'a>(&'a Value);

impl Serialize for Enc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    s.serialize_u64(u)
                } else if let Some(i) = n.as_i64() {
                    s.serialize_i64(i)
                } else {
                    s.serialize_f64(n.as_f64().unwrap_or(0.0))
                }
            }
            Value::String(t) => s.serialize_str(t),
            Value::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for x in a {
                    seq.serialize_element(&Enc(x))?;
                }
                seq.end()
            }
            Value::Object(m) => {
                if let (1, Some(Value::Array(bytes))) = (m.len(), m.get(BIN)) {
                    let bytes: Vec<u8> = bytes.iter().map(|b| low_u32(b) as u8).collect();
                    return s.serialize_bytes(&bytes);
                }
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, x) in m {
                    map.serialize_entry(k, &Enc(x))?;
                }
                map.end()
            }
        }
    }
}
