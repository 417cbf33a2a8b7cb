//! A token's field name in each generated language: the one rule the
//! renderers use and the parser checks for clashes (two tokens of a class
//! that would share a field).

/// Names a lowercased Python token name can clash with: keywords, and the
/// classes' `load` method.
const PYTHON_RESERVED: &[&str] = &[
    "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
    "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
    "load", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// Property names every JavaScript object already has.
const TYPESCRIPT_RESERVED: &[&str] = &[
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toJSON",
    "toLocaleString",
    "toString",
    "valueOf",
];

/// The Python attribute: the name in snake_case (`DISCORD_BOT_TOKEN` →
/// `discord_bot_token`), `_` appended to a keyword or `load`.
pub fn python(token: &str) -> String {
    let mut name = token.to_ascii_lowercase();
    if PYTHON_RESERVED.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// The TypeScript property: the name in camelCase (`DISCORD_BOT_TOKEN` →
/// `discordBotToken`), `_` appended to a name `Object` already has.
pub fn typescript(token: &str) -> String {
    let mut name = String::new();
    for (i, part) in token.split('_').filter(|p| !p.is_empty()).enumerate() {
        let lower = part.to_ascii_lowercase();
        if i == 0 {
            name.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            if let Some(first) = chars.next() {
                name.push(first.to_ascii_uppercase());
                name.push_str(chars.as_str());
            }
        }
    }
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if TYPESCRIPT_RESERVED.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_names_are_snake_case_and_never_keywords() {
        assert_eq!(python("DISCORD_BOT_TOKEN"), "discord_bot_token");
        assert_eq!(python("CLASS"), "class_");
        assert_eq!(python("LOAD"), "load_");
        assert_eq!(python("_X"), "_x");
    }

    #[test]
    fn typescript_names_are_camel_case_and_never_object_members() {
        assert_eq!(typescript("DISCORD_BOT_TOKEN"), "discordBotToken");
        assert_eq!(typescript("CF_DNS_API_TOKEN"), "cfDnsApiToken");
        assert_eq!(typescript("TO_STRING"), "toString_");
        assert_eq!(typescript("X2_KEY"), "x2Key");
        assert_eq!(typescript("_PRIVATE"), "private");
        assert_eq!(typescript("__"), "_");
    }
}
