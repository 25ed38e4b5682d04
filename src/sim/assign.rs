//! Kafka's partition assignors, exactly as the Java client computes them: `RangeAssignor`,
//! `RoundRobinAssignor` and the target assignment of `CooperativeStickyAssignor`.
//!
//! Member order for the classic assignors is Kafka's `MemberInfo` order: static members (those
//! with a `group.instance.id`) first, sorted by it; then dynamic members sorted by member id.
//! Strings compare as Java's `String.compareTo` does, by UTF-16 code units, so `"C" < "c"` and
//! `"consumer-10" < "consumer-2"`.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// A topic and a partition number.
pub type TopicPartition = (String, u32);

/// A group member as the assignor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberSubscription {
    /// The member id the coordinator gave it.
    pub member_id: String,
    /// `group.instance.id`, for static members.
    #[serde(default)]
    pub group_instance_id: Option<String>,
    /// The topics it subscribes to.
    pub subscription: Vec<String>,
    /// The partitions it owned before this rebalance (used by the sticky assignor).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owned: Vec<TopicPartition>,
}

impl MemberSubscription {
    /// A dynamic member subscribed to `topics`.
    pub fn new(member_id: impl Into<String>, topics: &[&str]) -> Self {
        Self {
            member_id: member_id.into(),
            group_instance_id: None,
            subscription: topics.iter().map(|t| (*t).to_owned()).collect(),
            owned: Vec::new(),
        }
    }

    fn subscribes(&self, topic: &str) -> bool {
        self.subscription.iter().any(|t| t == topic)
    }
}

/// The result of an assignment: member id → its partitions, in (topic, partition) order.
/// Every member appears, possibly with no partitions.
pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;

/// Java's `String.compareTo`: lexicographic by UTF-16 code unit.
pub fn java_string_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Kafka's `MemberInfo` order.
fn member_cmp(a: &MemberSubscription, b: &MemberSubscription) -> Ordering {
    match (&a.group_instance_id, &b.group_instance_id) {
        (Some(x), Some(y)) => java_string_cmp(x, y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => java_string_cmp(&a.member_id, &b.member_id),
    }
}

fn sorted_members(members: &[MemberSubscription]) -> Vec<&MemberSubscription> {
    let mut sorted: Vec<&MemberSubscription> = members.iter().collect();
    sorted.sort_by(|a, b| member_cmp(a, b));
    sorted
}

fn empty_assignment(members: &[MemberSubscription]) -> Assignment {
    members
        .iter()
        .map(|m| (m.member_id.clone(), Vec::new()))
        .collect()
}

fn finish(mut assignment: Assignment) -> Assignment {
    for partitions in assignment.values_mut() {
        partitions.sort_by(|a, b| java_string_cmp(&a.0, &b.0).then(a.1.cmp(&b.1)));
    }
    assignment
}

/// `RangeAssignor`: for each topic separately, the subscribed members in order each take a
/// contiguous block; the first `partitions % members` members take one extra.
/// `topics` maps each existing topic to its partition count; others are not assigned.
pub fn assign_range(topics: &BTreeMap<String, u32>, members: &[MemberSubscription]) -> Assignment {
    let mut assignment = empty_assignment(members);
    let sorted = sorted_members(members);
    for (topic, &partitions) in topics {
        let consumers: Vec<&&MemberSubscription> =
            sorted.iter().filter(|m| m.subscribes(topic)).collect();
        if consumers.is_empty() {
            continue;
        }
        let count = consumers.len() as u32;
        let per_member = partitions / count;
        let extra = partitions % count;
        for (i, member) in consumers.iter().enumerate() {
            let i = i as u32;
            let start = per_member * i + i.min(extra);
            let length = per_member + u32::from(i < extra);
            if let Some(list) = assignment.get_mut(&member.member_id) {
                list.extend((start..start + length).map(|p| (topic.clone(), p)));
            }
        }
    }
    finish(assignment)
}

/// `RoundRobinAssignor`: every partition of every subscribed topic (topics in name order,
/// partitions ascending) is dealt in turn over all members in order, skipping members not
/// subscribed to the partition's topic.
pub fn assign_round_robin(
    topics: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Assignment {
    let mut assignment = empty_assignment(members);
    let sorted = sorted_members(members);
    if sorted.is_empty() {
        return assignment;
    }
    let mut subscribed: Vec<&String> = topics
        .keys()
        .filter(|t| sorted.iter().any(|m| m.subscribes(t)))
        .collect();
    subscribed.sort_by(|a, b| java_string_cmp(a, b));
    let mut cursor = 0;
    for topic in subscribed {
        let partitions = topics.get(topic).copied().unwrap_or(0);
        for partition in 0..partitions {
            // Some member subscribes to `topic` (it was filtered so), so this ends.
            while !sorted[cursor % sorted.len()].subscribes(topic) {
                cursor += 1;
            }
            let member = sorted[cursor % sorted.len()];
            cursor += 1;
            if let Some(list) = assignment.get_mut(&member.member_id) {
                list.push((topic.clone(), partition));
            }
        }
    }
    finish(assignment)
}

/// The target assignment of `CooperativeStickyAssignor`: as balanced as the subscriptions
/// allow, keeping each member's owned partitions where balance permits.
///
/// A member keeps owned partitions (that still exist and that it still subscribes to) up to
/// its fair share; the rest go, one at a time in (topic, partition) order, to the eligible
/// member with the fewest partitions (ties in member order). The cooperative protocol — a
/// moving partition is first revoked, and only handed over by a follow-up rebalance — is the
/// engine's business; this computes where every partition ends up.
pub fn assign_cooperative_sticky(
    topics: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Assignment {
    let mut assignment = empty_assignment(members);
    let sorted = sorted_members(members);
    if sorted.is_empty() {
        return assignment;
    }
    let mut all: Vec<TopicPartition> = Vec::new();
    for (topic, &partitions) in topics {
        if sorted.iter().any(|m| m.subscribes(topic)) {
            all.extend((0..partitions).map(|p| (topic.clone(), p)));
        }
    }
    all.sort_by(|a, b| java_string_cmp(&a.0, &b.0).then(a.1.cmp(&b.1)));
    let total = all.len();
    // The fair share when everyone can take anything: ⌈total / members⌉ for the first
    // `total % members` members that keep most, ⌊total / members⌋ for the rest.
    let members_count = sorted.len();
    let min_quota = total / members_count;
    let mut max_quota_slots = total % members_count;

    let mut taken: BTreeSet<TopicPartition> = BTreeSet::new();
    // Members that owned more keep more, so fewer partitions move.
    let mut by_owned: Vec<&&MemberSubscription> = sorted.iter().collect();
    by_owned.sort_by(|a, b| b.owned.len().cmp(&a.owned.len()).then(member_cmp(a, b)));
    for member in by_owned {
        let quota = if max_quota_slots > 0 && member.owned.len() > min_quota {
            max_quota_slots -= 1;
            min_quota + 1
        } else {
            min_quota
        };
        let mut kept = 0;
        for tp in &member.owned {
            if kept >= quota {
                break;
            }
            let exists = topics.get(&tp.0).is_some_and(|&n| tp.1 < n);
            if exists && member.subscribes(&tp.0) && taken.insert(tp.clone()) {
                if let Some(list) = assignment.get_mut(&member.member_id) {
                    list.push(tp.clone());
                }
                kept += 1;
            }
        }
    }
    // Members by (partitions so far, member order): the first that subscribes to a
    // partition's topic is the one with the fewest (ties in member order). With thousands of
    // members and partitions this is a walk from the front of a set, not a scan of everyone.
    let mut by_load: BTreeSet<(usize, usize)> = sorted
        .iter()
        .enumerate()
        .map(|(i, m)| (assignment.get(&m.member_id).map_or(0, Vec::len), i))
        .collect();
    for tp in all {
        if taken.contains(&tp) {
            continue;
        }
        let Some(&(load, i)) = by_load.iter().find(|&&(_, i)| sorted[i].subscribes(&tp.0)) else {
            continue;
        };
        by_load.remove(&(load, i));
        by_load.insert((load + 1, i));
        if let Some(list) = assignment.get_mut(&sorted[i].member_id) {
            list.push(tp.clone());
            taken.insert(tp);
        }
    }
    finish(assignment)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics(list: &[(&str, u32)]) -> BTreeMap<String, u32> {
        list.iter().map(|(t, n)| ((*t).to_owned(), *n)).collect()
    }

    fn tps(list: &[(&str, u32)]) -> Vec<TopicPartition> {
        list.iter().map(|(t, p)| ((*t).to_owned(), *p)).collect()
    }

    #[test]
    fn java_order_is_by_utf16_code_units() {
        assert_eq!(java_string_cmp("C", "c"), Ordering::Less);
        assert_eq!(java_string_cmp("consumer-10", "consumer-2"), Ordering::Less);
        // U+10000 is the surrogate pair D800 DC00 in UTF-16, which sorts below U+FF61; in
        // UTF-8 (F0 ..) it sorts above (EF ..). Java, and so Kafka, use the UTF-16 order.
        assert_eq!(java_string_cmp("\u{10000}", "\u{FF61}"), Ordering::Less);
        assert_eq!("\u{10000}".cmp("\u{FF61}"), Ordering::Greater);
        assert_eq!(java_string_cmp("\u{FF61}", "\u{E000}"), Ordering::Greater);
    }

    #[test]
    fn range_gives_the_first_members_the_extra_partitions_of_each_topic() {
        // Kafka's RangeAssignorTest: two consumers, two topics of 3 partitions each.
        let members = [
            MemberSubscription::new("consumer1", &["t1", "t2"]),
            MemberSubscription::new("consumer2", &["t1", "t2"]),
        ];
        let a = assign_range(&topics(&[("t1", 3), ("t2", 3)]), &members);
        assert_eq!(
            a["consumer1"],
            tps(&[("t1", 0), ("t1", 1), ("t2", 0), ("t2", 1)])
        );
        assert_eq!(a["consumer2"], tps(&[("t1", 2), ("t2", 2)]));
    }

    #[test]
    fn range_sorts_member_ids_as_java_strings() {
        let members = [
            MemberSubscription::new("c2", &["t"]),
            MemberSubscription::new("c10", &["t"]),
        ];
        let a = assign_range(&topics(&[("t", 3)]), &members);
        assert_eq!(a["c10"], tps(&[("t", 0), ("t", 1)]));
        assert_eq!(a["c2"], tps(&[("t", 2)]));
    }

    #[test]
    fn static_members_come_first_sorted_by_instance_id() {
        let mut z = MemberSubscription::new("a-dynamic", &["t"]);
        z.group_instance_id = None;
        let mut s1 = MemberSubscription::new("zzz", &["t"]);
        s1.group_instance_id = Some("instance-b".into());
        let mut s2 = MemberSubscription::new("yyy", &["t"]);
        s2.group_instance_id = Some("instance-a".into());
        let a = assign_range(&topics(&[("t", 3)]), &[z, s1, s2]);
        assert_eq!(a["yyy"], tps(&[("t", 0)]));
        assert_eq!(a["zzz"], tps(&[("t", 1)]));
        assert_eq!(a["a-dynamic"], tps(&[("t", 2)]));
    }

    #[test]
    fn range_skips_missing_topics_and_lists_idle_members() {
        let members = [
            MemberSubscription::new("a", &["t", "missing"]),
            MemberSubscription::new("b", &["t"]),
            MemberSubscription::new("c", &["t"]),
        ];
        let a = assign_range(&topics(&[("t", 2)]), &members);
        assert_eq!(a["a"], tps(&[("t", 0)]));
        assert_eq!(a["b"], tps(&[("t", 1)]));
        assert_eq!(a["c"], Vec::<TopicPartition>::new());
    }

    #[test]
    fn round_robin_deals_over_all_topics_skipping_unsubscribed_members() {
        // Kafka's RoundRobinAssignorTest.testMultipleConsumersMixedTopics:
        // consumer1 ⟶ t1; consumer2 ⟶ t1, t2; consumer3 ⟶ t1; t1 has 3, t2 has 2 partitions.
        let members = [
            MemberSubscription::new("consumer1", &["t1"]),
            MemberSubscription::new("consumer2", &["t1", "t2"]),
            MemberSubscription::new("consumer3", &["t1"]),
        ];
        let a = assign_round_robin(&topics(&[("t1", 3), ("t2", 2)]), &members);
        assert_eq!(a["consumer1"], tps(&[("t1", 0)]));
        assert_eq!(a["consumer2"], tps(&[("t1", 1), ("t2", 0), ("t2", 1)]));
        assert_eq!(a["consumer3"], tps(&[("t1", 2)]));
    }

    #[test]
    fn round_robin_with_two_topics_alternates() {
        let members = [
            MemberSubscription::new("c0", &["t0", "t1"]),
            MemberSubscription::new("c1", &["t0", "t1"]),
        ];
        let a = assign_round_robin(&topics(&[("t0", 3), ("t1", 3)]), &members);
        assert_eq!(a["c0"], tps(&[("t0", 0), ("t0", 2), ("t1", 1)]));
        assert_eq!(a["c1"], tps(&[("t0", 1), ("t1", 0), ("t1", 2)]));
    }

    #[test]
    fn cooperative_sticky_is_balanced_and_keeps_owned_partitions() {
        let t = topics(&[("t", 6)]);
        let mut a = MemberSubscription::new("a", &["t"]);
        a.owned = tps(&[("t", 0), ("t", 1), ("t", 2)]);
        let mut b = MemberSubscription::new("b", &["t"]);
        b.owned = tps(&[("t", 3), ("t", 4), ("t", 5)]);
        let c = MemberSubscription::new("c", &["t"]);
        let out = assign_cooperative_sticky(&t, &[a, b, c]);
        assert_eq!(out["a"], tps(&[("t", 0), ("t", 1)]));
        assert_eq!(out["b"], tps(&[("t", 3), ("t", 4)]));
        assert_eq!(out["c"], tps(&[("t", 2), ("t", 5)]));
    }

    #[test]
    fn cooperative_sticky_hands_a_leaving_members_partitions_to_the_others() {
        let t = topics(&[("t", 4)]);
        let mut a = MemberSubscription::new("a", &["t"]);
        a.owned = tps(&[("t", 0), ("t", 1)]);
        // `b`, which owned 2 and 3, has left.
        let out = assign_cooperative_sticky(&t, &[a, MemberSubscription::new("c", &["t"])]);
        assert_eq!(out["a"], tps(&[("t", 0), ("t", 1)]));
        assert_eq!(out["c"], tps(&[("t", 2), ("t", 3)]));
    }

    #[test]
    fn cooperative_sticky_balances_thousands_of_members() {
        // 100,000 partitions over 5,000 members, half of whom already own 20 (the first
        // 50,000): they keep them, and the newcomers share the rest evenly.
        let t = topics(&[("t", 100_000)]);
        let members: Vec<MemberSubscription> = (0..5_000)
            .map(|i| {
                let mut m = MemberSubscription::new(format!("m{i:04}"), &["t"]);
                if i < 2_500 {
                    m.owned = (i * 20..i * 20 + 20).map(|p| ("t".to_owned(), p)).collect();
                }
                m
            })
            .collect();
        let out = assign_cooperative_sticky(&t, &members);
        assert!(out.values().all(|tps| tps.len() == 20));
        assert_eq!(out["m0007"][0], ("t".to_owned(), 140));
        assert_eq!(out["m2500"][0], ("t".to_owned(), 50_000));
        assert_eq!(out["m4999"][19], ("t".to_owned(), 99_999));
    }
}
