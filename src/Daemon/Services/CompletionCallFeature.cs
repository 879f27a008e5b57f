using Cortex.Llmd.Completions;
using Microsoft.AspNetCore.Http;

namespace Cortex.Llmd.Services;

/// <summary>The gRPC door keeps a call's <see cref="CompletionCall"/> as an HTTP feature from its arrival on.</summary>
public static class CompletionCallFeature
{
    public static CompletionCall? Of(HttpContext context) => context.Features.Get<CompletionCall>();

    public static void Set(HttpContext context, CompletionCall call) => context.Features.Set(call);
}
