namespace Cortex.Llmd.Access;

/// <summary>
/// The policy for the current config: rebuilt when a reload brings a new access section, so group names
/// are resolved once per config rather than once per call.
/// </summary>
public sealed class AccessPolicySource(Func<AccessOptions> current, IGroupDatabase groups, uint daemonUid, Action<AccessPolicy>? built = null)
{
    private AccessPolicy? _policy;

    public AccessPolicy Current
    {
        get
        {
            AccessOptions options = current();
            AccessPolicy? policy = Volatile.Read(ref _policy);
            if (policy is not null && ReferenceEquals(policy.Options, options))
            {
                return policy;
            }

            policy = new AccessPolicy(options, groups, daemonUid);
            Volatile.Write(ref _policy, policy);
            built?.Invoke(policy);
            return policy;
        }
    }
}
