//! The smallest JSON value the core can be hosted with: the simulation only ever hands it the
//! handshake's `{socket_id, activity_timeout}`.

use pusher_wasm::protocol::HostValue;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Undefined,
    Number(f64),
    Text(String),
    Object(Vec<(String, Value)>),
}

impl Value {
    /// `pusher:connection_established`'s data.
    pub fn handshake(socket_id: &str, activity_timeout_s: f64) -> Value {
        Value::Object(vec![
            ("socket_id".into(), Value::Text(socket_id.into())),
            ("activity_timeout".into(), Value::Number(activity_timeout_s)),
        ])
    }

    fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl HostValue for Value {
    fn string_field(&self, key: &str) -> Option<String> {
        match self.get(key) {
            Some(Value::Text(text)) => Some(text.clone()),
            _ => None,
        }
    }

    fn number_field(&self, key: &str) -> Option<f64> {
        match self.get(key) {
            Some(Value::Number(n)) if n.is_finite() => Some(*n),
            _ => None,
        }
    }

    fn field(&self, key: &str) -> Option<Value> {
        self.get(key)
            .filter(|v| !matches!(v, Value::Undefined))
            .cloned()
    }

    fn entries(&self) -> Vec<(String, Value)> {
        match self {
            Value::Object(entries) => entries.clone(),
            _ => Vec::new(),
        }
    }

    fn items(&self) -> Vec<Value> {
        Vec::new()
    }

    fn own_field(&self, key: &str) -> Option<Value> {
        self.get(key).cloned()
    }

    fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    fn set_field(&mut self, key: &str, value: Value) {
        if let Value::Object(entries) = self {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some(entry) => entry.1 = value,
                None => entries.push((key.into(), value)),
            }
        }
    }

    fn remove_field(&mut self, key: &str) {
        if let Value::Object(entries) = self {
            entries.retain(|(k, _)| k != key);
        }
    }

    fn new_object() -> Value {
        Value::Object(Vec::new())
    }

    fn from_string(text: &str) -> Value {
        Value::Text(text.into())
    }

    fn undefined() -> Value {
        Value::Undefined
    }

    /// The simulation sends no payloads, so nothing here needs a JSON parser.
    fn parse_json(_text: &str) -> Option<Value> {
        None
    }

    /// Nor a JSON writer: the client's own client events are only compared with connection
    /// recovery on, which the simulation does not use.
    fn to_json(&self) -> Option<String> {
        None
    }
}
