//! `causeway partition` and `causeway assign`: Kafka's partitioner and assignors on the command
//! line, for teaching and for checking Causeway against a real client.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::files::read;
use crate::model::partitioner::partition_for_key;
use crate::sim::assign::{
    MemberSubscription, assign_cooperative_sticky, assign_range, assign_round_robin,
};

pub(super) fn partition(partitions: u32, hex: bool, keys: &[String]) -> i32 {
    // Every key is read before any is printed: a bad one prints nothing.
    let mut decoded = Vec::with_capacity(keys.len());
    for key in keys {
        if hex {
            match decode_hex(key) {
                Ok(bytes) => decoded.push(bytes),
                Err(why) => {
                    eprintln!("error: `{key}` is not a hex key: {why}");
                    return 2;
                }
            }
        } else {
            decoded.push(key.as_bytes().to_vec());
        }
    }
    for (key, bytes) in keys.iter().zip(&decoded) {
        println!("{key}\t{}", partition_for_key(bytes, partitions));
    }
    0
}

fn decode_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = match digits.as_slice() {
        ['0', 'x' | 'X', rest @ ..] => rest,
        all => all,
    };
    if digits.len() % 2 != 0 {
        return Err("an odd number of hex digits".to_owned());
    }
    digits
        .chunks(2)
        .map(|pair| {
            let byte: String = pair.iter().collect();
            u8::from_str_radix(&byte, 16).map_err(|_| format!("`{byte}` is not a hex byte"))
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignInput {
    assignor: AssignorName,
    topics: BTreeMap<String, u32>,
    members: Vec<MemberSubscription>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum AssignorName {
    Range,
    RoundRobin,
    CooperativeSticky,
}

pub(super) fn assign(path: &Path) -> i32 {
    let bytes = match read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            eprintln!("error: {err:#}");
            return 2;
        }
    };
    let input: AssignInput = match serde_json::from_slice(&bytes) {
        Ok(input) => input,
        Err(err) => {
            // serde_json ends its message with the position, which leads the line already.
            let message = err.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            eprintln!(
                "{}:{}:{}: error: {message}",
                path.display(),
                err.line(),
                err.column()
            );
            return 2;
        }
    };
    let mut ids = std::collections::BTreeSet::new();
    for member in &input.members {
        if !ids.insert(&member.member_id) {
            eprintln!(
                "{}: error: member id `{}` appears twice",
                path.display(),
                member.member_id
            );
            return 2;
        }
    }
    for member in &input.members {
        for topic in &member.subscription {
            if !input.topics.contains_key(topic) {
                // Kafka's assignors pass over a topic that does not exist; so does this, but
                // a typo should not go unnoticed.
                eprintln!(
                    "{}: warning: member `{}` subscribes to `{topic}`, which is not among the \
                     topics; it gets no partitions of it",
                    path.display(),
                    member.member_id
                );
            }
        }
    }
    if let Some(problem) = beyond_limits(&input) {
        eprintln!("{}: error: {problem}", path.display());
        return 2;
    }
    let assignment = match input.assignor {
        AssignorName::Range => assign_range(&input.topics, &input.members),
        AssignorName::RoundRobin => assign_round_robin(&input.topics, &input.members),
        AssignorName::CooperativeSticky => assign_cooperative_sticky(&input.topics, &input.members),
    };
    match serde_json::to_string(&assignment) {
        Ok(json) => {
            println!("{json}");
            0
        }
        Err(err) => {
            eprintln!("error: cannot write the assignment as JSON: {err}");
            2
        }
    }
}

/// Partitions over all topics an assignment may cover.
const MAX_ASSIGNED_PARTITIONS: u64 = 1_000_000;

/// What makes an assignment input too large to compute, in words: the same limits as a
/// model's (partitions per topic, members per group), and a million partitions in all.
fn beyond_limits(input: &AssignInput) -> Option<String> {
    use crate::model::validate::{MAX_MEMBERS, MAX_PARTITIONS};
    if let Some((topic, &count)) = input.topics.iter().find(|(_, n)| **n > MAX_PARTITIONS) {
        return Some(format!(
            "topic `{topic}` has {count} partitions; Causeway assigns at most {MAX_PARTITIONS} \
             per topic, as many as a model may have"
        ));
    }
    let total: u64 = input.topics.values().map(|&n| u64::from(n)).sum();
    if total > MAX_ASSIGNED_PARTITIONS {
        return Some(format!(
            "the topics have {total} partitions in all; Causeway assigns at most \
             {MAX_ASSIGNED_PARTITIONS}"
        ));
    }
    if input.members.len() > MAX_MEMBERS as usize {
        return Some(format!(
            "the group has {} members; Causeway assigns to at most {MAX_MEMBERS}, as many as a \
             model's group may have",
            input.members.len()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::decode_hex;

    #[test]
    fn hex_keys_decode_with_or_without_prefix() {
        assert_eq!(decode_hex("0x666f6f"), Ok(b"foo".to_vec()));
        assert_eq!(decode_hex("66 6F 6F"), Ok(b"foo".to_vec()));
        assert_eq!(decode_hex(""), Ok(Vec::new()));
        assert!(decode_hex("abc").is_err());
        assert!(decode_hex("zz").is_err());
    }
}
