/// Keys in the order they were first added, for forgetting the oldest: `append` returns the key that
/// falls out once more than `capacity` are held. Amortised O(1): the front is dropped in batches.
struct InsertionOrder<Key: Hashable> {
    let capacity: Int
    private var keys: [Key] = []
    private var head = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { keys.count - head }

    mutating func append(_ key: Key) -> Key? {
        keys.append(key)
        guard count > capacity else { return nil }
        let oldest = keys[head]
        head += 1
        if head > 1024 && head * 2 > keys.count {
            keys.removeFirst(head)
            head = 0
        }
        return oldest
    }
}
