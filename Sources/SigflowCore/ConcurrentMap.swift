#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Array {
    /// `map` spread over the machine's cores, with the results in the same order as `map`'s.
    ///
    /// `transform` runs on several threads at once, so it must not mutate shared state. Elements
    /// are handed out a few at a time from a shared counter, so one slow element does not hold
    /// up a whole share of the work.
    public func concurrentMap<Result>(_ transform: (Element) -> Result) -> [Result] {
        let threads = Swift.min(BackgroundThread.coreCount, count / Self.elementsPerClaim, 8)
        guard threads > 1 else { return map(transform) }
        return withoutActuallyEscaping(transform) { transform in
            let results = UnsafeMutableBufferPointer<Result>.allocate(capacity: count)
            defer { results.deallocate() }
            let work = SharedWork(elements: self, transform: transform, results: results)
            let helpers = (1..<threads).map { _ in BackgroundThread.start(work.run) }
            work.run()
            for helper in helpers { helper?.join() }
            return Array<Result>(unsafeUninitializedCapacity: count) { buffer, initialized in
                _ = buffer.moveInitialize(fromContentsOf: results)
                initialized = count
            }
        }
    }

    private static var elementsPerClaim: Int { 4 }

    /// The elements and where their results go, shared by the threads of one `concurrentMap`.
    private final class SharedWork<Result> {
        let elements: [Element]
        let transform: (Element) -> Result
        let results: UnsafeMutableBufferPointer<Result>
        private var next = 0
        private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

        init(elements: [Element], transform: @escaping (Element) -> Result, results: UnsafeMutableBufferPointer<Result>)
        {
            self.elements = elements
            self.transform = transform
            self.results = results
            pthread_mutex_init(lock, nil)
        }

        deinit {
            pthread_mutex_destroy(lock)
            lock.deallocate()
        }

        /// Claims elements until none are left, writing each result into its own slot.
        func run() {
            while true {
                pthread_mutex_lock(lock)
                let start = next
                next = Swift.min(next + elementsPerClaim, elements.count)
                let end = next
                pthread_mutex_unlock(lock)
                guard start < end else { return }
                for index in start..<end {
                    (results.baseAddress! + index).initialize(to: transform(elements[index]))
                }
            }
        }
    }
}
