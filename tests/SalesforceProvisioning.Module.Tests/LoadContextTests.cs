using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// On PowerShell 7 the module's dependencies live in its own load context: another module's older
    /// Newtonsoft.Json, loaded first, does not stop the module from using its own.
    /// </summary>
    public class LoadContextTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public LoadContextTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
        }

        private static string OlderNewtonsoft()
        {
            string root = typeof(LoadContextTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NuGetPackageRoot").Value;
            return Path.Combine(root, "newtonsoft.json", "12.0.3", "lib", "netstandard2.0", "Newtonsoft.Json.dll");
        }

        [Fact]
        public void Another_modules_older_newtonsoft_loaded_first_does_not_clash_with_the_modules_own()
        {
            // Another module's context, with Newtonsoft.Json 12.0.3, in use before ours is imported.
            var other = new AssemblyLoadContext("AnotherModule");
            Assembly older = other.LoadFromAssemblyPath(OlderNewtonsoft());
            Assert.Equal(12, older.GetName().Version.Major);
            string serialized = (string)older.GetType("Newtonsoft.Json.JsonConvert").GetMethod("SerializeObject", new[] { typeof(object) }).Invoke(null, new object[] { new[] { 1, 2 } });
            Assert.Equal("[1,2]", serialized);

            using var ps = _emulator.NewSession();
            Assert.Equal("True", ps.Run("(Test-SfConnection).Success").Output.Single().ToString());

            var core = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "SalesforceProvisioning.Core");
            var moduleContext = AssemblyLoadContext.GetLoadContext(core);
            Assert.Equal("ModuleLoadContext", moduleContext.GetType().Name);
            var ours = moduleContext.Assemblies.Single(a => a.GetName().Name == "Newtonsoft.Json");
            Assert.Equal(13, ours.GetName().Version.Major);
            Assert.StartsWith(PowerShellHost.ModuleFolder, ours.Location);
            Assert.NotSame(older, ours);
            Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "SalesforceProvisioning.Core");
        }
    }
}
