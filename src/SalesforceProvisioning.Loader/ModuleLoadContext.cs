using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace SalesforceProvisioning.Loader
{
    /// <summary>
    /// On PowerShell 7 the module's engine (SalesforceProvisioning.Core) and its dependencies (Newtonsoft.Json,
    /// RestSharp, Polly, SQLite) load in the module's own AssemblyLoadContext, so another module's versions of
    /// them can never clash with ours. The cmdlet assembly, imported after this one, resolves Core through here; .NET's own
    /// assemblies still come from the shared runtime. Windows PowerShell 5.1 has no load contexts and loads
    /// the dependencies from the module folder as before.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        public void OnImport()
        {
            if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal)) return;
            IsolatedDependencies.Install(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location));
        }
    }

    internal static class IsolatedDependencies
    {
        private const string Engine = "SalesforceProvisioning.Core";
        private static readonly object Gate = new object();
        private static ModuleLoadContext _context;


        internal const string ContextName = "SalesforceProvisioning";

        internal static void Install(string moduleFolder)
        {
            lock (Gate)
            {
                if (_context != null) return; // imported again in another runspace of the same process
                _context = new ModuleLoadContext(moduleFolder);
                AssemblyLoadContext.Default.Resolving += (defaultContext, name) =>
                    string.Equals(name.Name, Engine, StringComparison.OrdinalIgnoreCase) ? _context.LoadFromAssemblyName(name) : null;
            }
        }

        private sealed class ModuleLoadContext : AssemblyLoadContext
        {
            private static readonly string RuntimeFolder = Path.GetDirectoryName(typeof(object).Assembly.Location);
            private readonly string _folder;

            public ModuleLoadContext(string folder) { _folder = folder; }

            protected override Assembly Load(AssemblyName name)
            {
                // One Span, one Task: assemblies of the shared .NET runtime are never loaded twice.
                if (File.Exists(Path.Combine(RuntimeFolder, name.Name + ".dll"))) return null;
                string path = Path.Combine(_folder, name.Name + ".dll");
                return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
            }
        }
    }
}
