using Cortex.Llmd.Model;
using Cortex.Llmd.Stats;
using System.Globalization;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Tests.Support.Stats;

public static class StatsFilters
{
    public static bool Matches(StatsFilter? filter, RequestRecord r)
    {
        if (filter is null)
        {
            return true;
        }

        return (filter.Provider.Length == 0 || filter.Provider == r.Provider)
            && (filter.Model.Length == 0 || filter.Model == r.Model)
            && (filter.TaskType == TaskType.Unspecified || filter.TaskType == r.Task)
            && (filter.Route.Length == 0 || filter.Route == r.Route)
            && (filter.TenantId.Length == 0 || filter.TenantId == r.TenantId)
            && (filter.CallerUid is not { } uid || uid == r.Caller.Uid)
            && (filter.CallerUnit.Length == 0 || filter.CallerUnit == r.Caller.Unit)
            && (filter.Door.Length == 0 || filter.Door == r.Door);
    }

    public static string GroupKey(GroupBy groupBy, RequestRecord r) => groupBy switch
    {
        GroupBy.Provider => r.Provider,
        GroupBy.Model => r.Provider + "/" + r.Model,
        GroupBy.Task => TaskNames.ConfigKey(r.Task),
        GroupBy.Route => r.Route,
        GroupBy.Tenant => r.TenantId,
        GroupBy.Caller => r.Caller.Unit.Length > 0 ? r.Caller.Unit
            : r.Caller.Uid is { } uid ? "uid " + uid.ToString(CultureInfo.InvariantCulture) : "unknown",
        GroupBy.Door => r.Door,
        _ => string.Empty,
    };
}
