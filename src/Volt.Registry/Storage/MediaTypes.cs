namespace Volt.Registry.Storage;

/// <summary>The manifest media types the registry stores and negotiates.</summary>
public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string OctetStream = "application/octet-stream";

    public static bool IsIndex(string mediaType) => mediaType is OciIndex or DockerManifestList;
}
