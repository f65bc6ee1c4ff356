/// A dictionary that forgets its oldest keys (in order of first insertion) beyond `capacity`: state
/// keyed by names a capture chooses (call ids, event ids, tokens) must not grow with the capture.
/// Forgetting is amortised O(1): the order's front is dropped in batches.
public struct BoundedDictionary<Key: Hashable, Value> {
    public let capacity: Int
    private var values: [Key: Value] = [:]
    private var order: [Key] = []
    private var head = 0

    public init(capacity: Int) {
        self.capacity = capacity
    }

    public var count: Int { values.count }

    public subscript(key: Key) -> Value? {
        get { values[key] }
        set {
            guard let newValue else {
                values[key] = nil
                return
            }
            if values.updateValue(newValue, forKey: key) == nil { remember(key) }
        }
    }

    private mutating func remember(_ key: Key) {
        order.append(key)
        while order.count - head > capacity {
            values[order[head]] = nil
            head += 1
        }
        if head > 1024 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
