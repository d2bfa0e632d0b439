namespace Keyward.Server.Http;

internal sealed partial class PrometheusText
{
    /// <summary>
    /// One instrument's tag sets already seen, each with its series, compared pair by pair in the order recorded (the
    /// same call site passes the same order). At most <see cref="Capacity"/>; further tag sets take the slow path each
    /// time. Only tag sets whose values cannot change (null, strings, primitives, enums) are kept, so a label's text is
    /// never stale.
    /// </summary>
    private sealed class KnownTags
    {
        public const int Capacity = 16;

        private readonly Lock _lock = new();
        private volatile Entry[] _entries = [];

        public Series? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var entry in _entries)
            {
                if (entry.Matches(tags))
                {
                    return entry.Series;
                }
            }

            return null;
        }

        public void Remember(ReadOnlySpan<KeyValuePair<string, object?>> tags, Series series)
        {
            foreach (var tag in tags)
            {
                if (!Immutable(tag.Value))
                {
                    return;
                }
            }

            lock (_lock)
            {
                var entries = _entries;
                if (entries.Length >= Capacity || Find(tags) is not null)
                {
                    return;
                }

                _entries = [.. entries, new Entry(tags.ToArray(), series)];
            }
        }

        private static bool Immutable(object? value) => value is null or string || value.GetType() is { IsPrimitive: true } or { IsEnum: true };

        private sealed record Entry(KeyValuePair<string, object?>[] Tags, Series Series)
        {
            public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
            {
                if (tags.Length != Tags.Length)
                {
                    return false;
                }

                for (var i = 0; i < tags.Length; i++)
                {
                    if (!string.Equals(tags[i].Key, Tags[i].Key, StringComparison.Ordinal) || !Equals(tags[i].Value, Tags[i].Value))
                    {
                        return false;
                    }
                }

                return true;
            }
        }
    }
}
