//! MessagePack payloads as `serde_json::Value`, for structure-aware mutation, with the
//! byte blobs of format v2 trees opened up into numbers.
//!
//! A `bin` value becomes `{"$bin": [byte, ...]}`, except the tree columns:
//!
//! * `features`, `children`, `leaf_outputs` (packed integers: a width byte, then
//!   integers of that width) become arrays of their integers;
//! * `thresholds`, `leaf_values` (8-byte floats) become arrays of floats.
//!
//! [`encode`] packs them back, the integers with the smallest width that holds the
//! largest (as the writer does); a number that does not fit 32 bits is cut to its low 32
//! bits (floats saturate), so a hostile value still lands in the blob. `leaf_bits` stays
//! a `$bin` array of bytes.

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
    open_blobs(&mut v);
    v
}

/// Encodes a value made by [`decode`] (and maybe mutated) back to MessagePack.
pub fn encode(v: &Value) -> Vec<u8> {
    let mut v = v.clone();
    close_blobs(&mut v);
    rmp_serde::to_vec_named(&Enc(&v)).unwrap()
}

/// Keys of packed-integer columns.
const PACKED: [&str; 3] = ["features", "children", "leaf_outputs"];
/// Keys of float columns.
const FLOATS: [&str; 2] = ["thresholds", "leaf_values"];

/// Whether `m` is a format v2 tree (only its columns are opened up).
fn is_tree(m: &Map<String, Value>) -> bool {
    m.contains_key("leaf_bits")
}

fn open_blobs(v: &mut Value) {
    match v {
        Value::Object(m) if is_tree(m) => {
            for (k, x) in m.iter_mut() {
                open_column(x, k);
            }
        }
        Value::Object(m) => m.values_mut().for_each(open_blobs),
        Value::Array(a) => a.iter_mut().for_each(open_blobs),
        _ => {}
    }
}

fn open_column(v: &mut Value, k: &str) {
    if let Value::Object(m) = v
        && let Some(Value::Array(bytes)) = m.get(BIN)
    {
        let bytes: Vec<u8> = bytes.iter().map(|b| b.as_u64().unwrap() as u8).collect();
        if PACKED.contains(&k) {
            let w = usize::from(bytes[0]);
            *v = bytes[1..]
                .chunks(w)
                .map(|c| {
                    let mut a = [0u8; 4];
                    a[..c.len()].copy_from_slice(c);
                    serde_json::json!(u32::from_le_bytes(a))
                })
                .collect();
        } else if FLOATS.contains(&k) {
            *v = bytes
                .chunks(8)
                .map(|c| {
                    let mut a = [0u8; 8];
                    a[..c.len()].copy_from_slice(c);
                    serde_json::json!(f64::from_le_bytes(a))
                })
                .collect();
        }
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

fn close_blobs(v: &mut Value) {
    match v {
        Value::Object(m) if is_tree(m) => {
            for (k, x) in m.iter_mut() {
                close_column(x, k);
            }
        }
        Value::Object(m) => m.values_mut().for_each(close_blobs),
        Value::Array(a) => a.iter_mut().for_each(close_blobs),
        _ => {}
    }
}

fn close_column(v: &mut Value, key: &str) {
    match (key, &mut *v) {
        (k, Value::Array(values)) if PACKED.contains(&k) => {
            let values: Vec<u32> = values.iter().map(low_u32).collect();
            let max = values.iter().copied().max().unwrap_or(0);
            let w = if max <= 0xFF {
                1
            } else if max <= 0xFFFF {
                2
            } else {
                4
            };
            let mut bytes = vec![w as u8];
            for x in values {
                bytes.extend_from_slice(&x.to_le_bytes()[..w]);
            }
            *v = bin(bytes);
        }
        (k, Value::Array(values)) if FLOATS.contains(&k) => {
            let bytes = values
                .iter()
                .flat_map(|x| x.as_f64().unwrap_or(0.0).to_le_bytes())
                .collect();
            *v = bin(bytes);
        }
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
        Ok(Json(
            serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
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
