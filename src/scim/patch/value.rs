//! Type checks and coercions of the values PATCH writes into attributes in the schema table.
//! Values of attributes outside the table are written as sent.

use serde_json::{Map, Number, Value};

use crate::error::{ApiError, ApiResult};
use crate::scim::schema::{AttrType, Attribute};

use super::PatchEnv;

/// Checks `value` against `def` as a whole attribute value: an array for multi-valued
/// attributes (a single element is accepted and wrapped), else one value.
pub(crate) fn whole(
    value: &Value,
    def: Option<&'static Attribute>,
    path: &str,
    ctx: PatchEnv<'_>,
) -> ApiResult<Value> {
    let Some(def) = def else {
        return Ok(value.clone());
    };
    if !def.multi_valued || value.is_null() {
        return single(value, def, path, ctx);
    }
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    items
        .into_iter()
        .map(|v| single(v, def, path, ctx))
        .collect::<ApiResult<Vec<_>>>()
        .map(Value::Array)
}

/// Checks one value (one element of a multi-valued attribute, or a sub-attribute value).
pub(crate) fn single(
    value: &Value,
    def: &'static Attribute,
    path: &str,
    ctx: PatchEnv<'_>,
) -> ApiResult<Value> {
    let wrong = |want: &str| {
        ApiError::invalid_value(format!(
            "'{path}' ({}) must be {want}, got {}",
            def.name,
            describe(value)
        ))
    };
    Ok(match (def.kind, value) {
        (_, Value::Null) => Value::Null,
        (AttrType::Complex, Value::Object(map)) => {
            let mut out = Map::new();
            for (k, v) in map {
                match def.sub(k) {
                    Some(sd) => {
                        out.insert(sd.name.to_owned(), single(v, sd, path, ctx)?);
                    }
                    None => {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            Value::Object(out)
        }
        // A bare value for a single-valued complex attribute is its `value` sub-attribute:
        // A vendor's example requests replace the enterprise `manager` with the manager's id as a string.
        (AttrType::Complex, Value::String(_) | Value::Number(_)) if !def.multi_valued => {
            match def.sub("value") {
                Some(vd) => {
                    let mut out = Map::new();
                    out.insert(vd.name.to_owned(), single(value, vd, path, ctx)?);
                    Value::Object(out)
                }
                None => return Err(wrong("an object")),
            }
        }
        (AttrType::Complex, _) => return Err(wrong("an object")),
        (AttrType::Boolean, Value::Bool(_)) => value.clone(),
        // Entra sends "True"/"False" (compat coerce-string-booleans).
        (AttrType::Boolean, Value::String(s)) if ctx.compat.coerce_string_booleans => {
            if s.eq_ignore_ascii_case("true") {
                Value::Bool(true)
            } else if s.eq_ignore_ascii_case("false") {
                Value::Bool(false)
            } else {
                return Err(wrong("a boolean"));
            }
        }
        (AttrType::Boolean, _) => return Err(wrong("a boolean")),
        (AttrType::Decimal | AttrType::Integer, Value::Number(_)) => value.clone(),
        (AttrType::Decimal | AttrType::Integer, Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| wrong("a number"))?,
        (AttrType::Decimal | AttrType::Integer, _) => return Err(wrong("a number")),
        (AttrType::String | AttrType::Reference | AttrType::DateTime, Value::String(_)) => {
            value.clone()
        }
        // Numeric ids and employee numbers sent as JSON numbers are kept as their text.
        (AttrType::String | AttrType::Reference | AttrType::DateTime, Value::Number(n)) => {
            Value::String(n.to_string())
        }
        (AttrType::String | AttrType::Reference | AttrType::DateTime, _) => {
            return Err(wrong("a string"));
        }
    })
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
