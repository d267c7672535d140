# kubemacpool for .NET: one image, entrypoint /manager as upstream's.
# Build: docker build -t quay.io/kubevirt/kubemacpool:devel .   (no Docker engine on the development machines:
# `make cluster-sync` runs the same binary as a local process there).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json nuget.config Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
# ReadyToRun: the process starts from precompiled code (startup after a restart is the rebuild, not the JIT).
RUN dotnet publish src/KubeMacPool.Manager -c Release -r linux-x64 -o /app --no-self-contained -p:PublishReadyToRun=true \
    -p:ArtifactsPath=/artifacts

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl: the e2e suites scrape /metrics from inside the manager container, as upstream's do.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
RUN ln -s /app/kubemacpool /manager
USER 107:107
ENV DOTNET_gcServer=0 ASPNETCORE_URLS=
EXPOSE 8000 8443
ENTRYPOINT ["/manager"]
