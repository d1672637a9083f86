namespace Volt.Images.Oci;

/// <summary>The manifest, config and layer media types an image client meets (OCI and Docker v2 schema2).</summary>
public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// <summary>Everything a pull accepts, for the <c>Accept</c> header.</summary>
    public static readonly string[] AcceptedManifests = [OciManifest, OciIndex, DockerManifest, DockerList];

    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerList;
    public static bool IsManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;
}
