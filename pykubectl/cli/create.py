"""kubectl create: from files (-f), or one of the generators (`create deployment x --image=...`).

The root parses create's flags once, for every subcommand (cli/main.py knows only verbs), so FLAGS
is the union of the subcommands' flags; each subcommand then refuses the flags it does not have,
as cobra would. The objects themselves come from cli/generators.py (pure); this module reads
files, talks to the cluster and prints.
"""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError, Printed
from pykubectl.cli.flags import DRY_RUN, Flag, filename_flags

USAGE = "kubectl create -f FILENAME [options]"
LONG = """Create a resource from a file or from stdin.

 JSON and YAML formats are accepted."""
EXAMPLES = """  # Create a pod using the data in pod.json
  kubectl create -f ./pod.json

  # Create a pod based on the JSON passed into stdin
  cat pod.json | kubectl create -f -

  # Create a deployment named my-dep that runs the busybox image
  kubectl create deployment my-dep --image=busybox
"""

_COMMON = [
    DRY_RUN,
    Flag("validate", default="strict", no_opt="strict", help='Must be one of: strict (or true), warn, ignore (or false). "true" or "strict" will use a schema to validate the input and fail the request if invalid. It will perform server side validation if ServerSideFieldValidation is enabled on the api-server, but will fall back to less reliable client-side validation if not. "warn" will warn about unknown or duplicate fields without blocking the request if server-side field validation is enabled on the API server, and behave as "ignore" otherwise. "false" or "ignore" will not perform any schema validation, silently dropping any unknown or duplicate fields.'),
    Flag("save-config", kind="bool", help="If true, the configuration of current object will be saved in its annotation."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name)."),
    Flag("field-manager", default="kubectl-create", help="Name of the manager used to track field ownership."),
]
# every subcommand's own flags; `image` is a string for job/cronjob and a slice for deployment,
# so it is an array here and split on commas for deployment
_OWN = [
    Flag("from-literal", kind="array", help="Specify a key and literal value to insert (i.e. mykey=somevalue)"),
    Flag("from-file", kind="slice", help="Key file can be specified using its file path, in which case file basename will be used as the key, or optionally with a key and file path, in which case the given key will be used."),
    Flag("from-env-file", kind="slice", help="Specify the path to a file to read lines of key=val pairs to create a configmap or secret."),
    Flag("append-hash", kind="bool", help="Append a hash of the object to its name."),
    Flag("type", help="The type of secret to create"),
    Flag("cert", help="Path to PEM encoded public key certificate."),
    Flag("key", help="Path to private key associated with given certificate."),
    Flag("docker-server", default="https://index.docker.io/v1/", help="Server location for Docker registry"),
    Flag("docker-username", help="Username for Docker registry authentication"),
    Flag("docker-password", help="Password for Docker registry authentication"),
    Flag("docker-email", help="Email for Docker registry"),
    Flag("image", kind="array", help="Image name to run."),
    Flag("replicas", "r", kind="int", default=1, help="Number of replicas to create. Default is 1."),
    Flag("port", kind="int", default=-1, help="The containerPort that this deployment exposes."),
    Flag("tcp", kind="slice", help="Port pairs can be specified as '<port>:<targetPort>'."),
    Flag("clusterip", help="Assign your own ClusterIP or set to 'None' for a 'headless' service (no loadbalancing)."),
    Flag("node-port", kind="int", default=0, help="Port used to expose the service on each node in a cluster."),
    Flag("external-name", help="External name of service"),
    Flag("from", help="The name of the resource to create a Job from (only cronjob is supported)."),
    Flag("schedule", help="A schedule in the Cron format the job should be run with."),
    Flag("restart", help="job's restart policy. supported values: OnFailure, Never"),
    Flag("verb", kind="slice", help="Verb that applies to the resources contained in the rule"),
    Flag("resource", kind="slice", help="Resource that the rule applies to"),
    Flag("resource-name", kind="array", help="Resource in the white list that the rule applies to, repeat this flag for multiple items"),
    Flag("non-resource-url", kind="slice", help="A partial url that user should have access to."),
    Flag("aggregation-rule", kind="slice", help="An aggregation label selector for combining ClusterRoles."),
    Flag("role", help="Role this RoleBinding should reference"),
    Flag("clusterrole", help="ClusterRole this binding should reference"),
    Flag("user", kind="array", help="Usernames to bind to the role. The flag can be repeated to add multiple users."),
    Flag("group", kind="array", help="Groups to bind to the role. The flag can be repeated to add multiple groups."),
    Flag("serviceaccount", kind="array", help="Service accounts to bind to the role, in the format <namespace>:<name>. The flag can be repeated to add multiple service accounts."),
    Flag("value", kind="int", default=0, help="the value of this priority class."),
    Flag("global-default", kind="bool", help="global-default specifies whether this PriorityClass should be considered as the default priority."),
    Flag("description", help="description is an arbitrary string that usually provides guidelines on when this priority class should be used."),
    Flag("preemption-policy", default="PreemptLowerPriority", help="preemption-policy is the policy for preempting pods with lower priority."),
    Flag("rule", kind="array", help="Rule in format host/path=service:port[,tls=secretname]. Paths containing the leading character '*' are considered pathType=Prefix. tls argument is optional."),
    Flag("class", help="Ingress Class to be used"),
    Flag("default-backend", help="Default service for backend, in format of svcname:port"),
    Flag("annotation", kind="array", help="Annotation to insert in the ingress object, in the format annotation=value"),
    Flag("selector", help="A label selector to use for this budget. Only equality-based selector requirements are supported."),
    Flag("min-available", help="The minimum number or percentage of available pods this budget requires."),
    Flag("max-unavailable", help="The maximum number or percentage of unavailable pods this budget requires."),
    Flag("hard", help="A comma-delimited set of resource=quantity pairs that define a hard limit."),
    Flag("scopes", help="A comma-delimited set of quota scopes that must all match each object tracked by the quota."),
    Flag("audience", kind="array", help="Audience of the requested token. If unset, defaults to requesting a token for use with the Kubernetes API server. May be repeated to request a token valid for multiple audiences."),
    Flag("duration", kind="duration", default="0s", help="Requested lifetime of the issued token. If not set or if set to 0, the lifetime will be determined by the server automatically. The server may return a token with a longer or shorter lifetime."),
    Flag("bound-object-kind", help="Kind of an object to bind the token to. Supported kinds are Node, Pod, Secret. If set, --bound-object-name must be provided."),
    Flag("bound-object-name", help="Name of an object to bind the token to. The token will expire when the object is deleted. Requires --bound-object-kind."),
    Flag("bound-object-uid", help="UID of an object to bind the token to. Requires --bound-object-kind and --bound-object-name. If unset, the UID of the existing object is used."),
]
FLAGS = filename_flags("use to create the resource", "the") + _COMMON + _OWN

_DEST_TO_NAME = {f.dest: f.name for f in FLAGS}
_COMMON_DESTS = {f.dest for f in _COMMON}

# subcommand -> (canonical name, its own flags, required flags); aliases as kubectl has them
_SUB = {
    "namespace": ((), ()),
    "configmap": (("from_literal", "from_file", "from_env_file", "append_hash"), ()),
    "serviceaccount": ((), ()),
    "deployment": (("image", "replicas", "port"), ("image",)),
    "job": (("image", "from"), ()),
    "cronjob": (("image", "schedule", "restart"), ("image", "schedule")),
    "role": (("verb", "resource", "resource_name"), ()),
    "clusterrole": (("verb", "resource", "resource_name", "non_resource_url", "aggregation_rule"), ()),
    "rolebinding": (("role", "clusterrole", "user", "group", "serviceaccount"), ()),
    "clusterrolebinding": (("clusterrole", "user", "group", "serviceaccount"), ("clusterrole",)),
    "priorityclass": (("value", "global_default", "description", "preemption_policy"), ()),
    "ingress": (("rule", "class", "default_backend", "annotation"), ()),
    "poddisruptionbudget": (("selector", "min_available", "max_unavailable"), ()),
    "quota": (("hard", "scopes"), ()),
    "secret generic": (("from_literal", "from_file", "from_env_file", "append_hash", "type"), ()),
    "secret tls": (("cert", "key", "append_hash"), ()),
    "secret docker-registry": (("docker_server", "docker_username", "docker_password", "docker_email",
                                "from_file", "append_hash"), ()),
    "service clusterip": (("tcp", "clusterip"), ()),
    "service nodeport": (("tcp", "node_port"), ()),
    "service loadbalancer": (("tcp",), ()),
    "service externalname": (("tcp", "external_name"), ("external_name",)),
    "token": (("audience", "duration", "bound_object_kind", "bound_object_name", "bound_object_uid"), ()),
}
_ALIASES = {"ns": "namespace", "cm": "configmap", "sa": "serviceaccount", "deploy": "deployment",
            "cj": "cronjob", "pdb": "poddisruptionbudget", "pc": "priorityclass", "resourcequota": "quota",
            "ing": "ingress", "svc": "service"}
_GROUPS = {
    "secret": ("generic", "tls", "docker-registry"),
    "service": ("clusterip", "externalname", "loadbalancer", "nodeport"),
}
_GROUP_HELP = {
    "secret": """Create a secret with specified type.

 A docker-registry type secret is for accessing a container registry.

 A generic type secret indicate an Opaque secret type.

 A tls type secret holds TLS certificate and its associated key.

Available Commands:
  docker-registry   Create a secret for use with a Docker registry
  generic           Create a secret from a local file, directory, or literal value
  tls               Create a TLS secret

Usage:
  kubectl create secret (docker-registry | generic | tls) [options]

Use "kubectl create secret <command> --help" for more information about a given command.
Use "kubectl options" for a list of global command-line options (applies to all commands).
""",
    "service": """Create a service using a specified subcommand.

Aliases:
service, svc

Available Commands:
  clusterip       Create a ClusterIP service
  externalname    Create an ExternalName service
  loadbalancer    Create a LoadBalancer service
  nodeport        Create a NodePort service

Usage:
  kubectl create service [flags] [options]

Use "kubectl create service <command> --help" for more information about a given command.
Use "kubectl options" for a list of global command-line options (applies to all commands).
""",
}
# how kubectl words a failed request per generator (the others let the API error through)
_FAILED = {"deployment": "failed to create deployment: ", "job": "failed to create job: ",
           "cronjob": "failed to create cronjob: ", "ingress": "failed to create ingress: ",
           "configmap": "failed to create configmap: ", "secret": "failed to create secret ",
           "serviceaccount": "failed to create serviceaccount: ",
           "priorityclass": "failed to create priorityclass: ",
           "poddisruptionbudget": "failed to create poddisruptionbudgets: ", "quota": "failed to create quota: "}


def run(g, o, args):
    """Create a resource from a file or stdin, or from a generator subcommand."""
    sub, rest = _subcommand(args)
    own, required = _SUB[sub] if sub else (("filename", "recursive", "kustomize"), ())
    # create token has only the printer's flags of the common ones
    common = {"output"} if sub == "token" else _COMMON_DESTS
    extra = sorted(o.changed - common - set(own))
    if extra:
        where = f"create {sub}" if sub else "create"
        e = CLIError(f"unknown flag: --{_DEST_TO_NAME[extra[0]]}\nSee 'kubectl {where} --help' for usage.")
        if sub == "token":
            e.prefix = "Error: "   # `create token` leaves flag errors to cobra's default printer
        raise e
    if sub is None:
        return _run_files(g, o)
    missing = [f'"{_DEST_TO_NAME[d]}"' for d in required if d not in o.changed]
    if missing:
        raise CLIError(f"required flag(s) {', '.join(missing)} not set")
    takes_command = sub in ("deployment", "job", "cronjob")
    # (cli/main.py drops the position of `--`: whatever follows the name is the command)
    if not rest or (len(rest) != 1 and not takes_command):
        raise CLIError(f"exactly one NAME is required, got {len(rest)}\n"
                       f"See 'kubectl create {sub} -h' for help and examples")
    name, command = rest[0], rest[1:]
    if sub == "token":
        return _token(g, o, name)
    _Generate(g, o, sub, name, command).run()


def _subcommand(args):
    """(subcommand, remaining args) — (None, []) for `create -f`; kubectl's errors otherwise."""
    if not args:
        return None, []
    head = _ALIASES.get(args[0], args[0])
    if head in _GROUPS:
        if len(args) < 2:
            sys.stderr.write(_GROUP_HELP[head])
            raise Printed(1)
        kind = args[1]
        if kind not in _GROUPS[head]:   # cobra's RequireNoArguments on the group
            raise CLIError(f'unknown command "{" ".join(args[1:])}"\n'
                           f'See \'kubectl create {head} -h\' for help and examples')
        return f"{head} {kind}", args[2:]
    if head == "token":
        if len(args) != 2:
            raise CLIError(f"exactly one NAME is required, got {len(args) - 1}\n"
                           f"See 'kubectl create token -h' for help and examples")
        return head, args[1:]
    if head in _SUB:
        return head, args[1:]
    raise CLIError(f"Unexpected args: [{' '.join(args)}]\nSee 'kubectl create -h' for help and examples")


_BOUND_KINDS = {"Node": "v1", "Pod": "v1", "Secret": "v1"}


def _token(g, o, name: str) -> None:
    """create token SA: a TokenRequest posted to serviceaccounts/SA/token; the token printed
    bare (a newline only on a terminal), or the TokenRequest with -o."""
    from pykubectl.cli.context import client as make_client
    from pykubectl.store.clock import parse_duration
    output = _output_mode(o.output)
    client = make_client(g)
    seconds = parse_duration(o.duration)
    if seconds < 0:
        raise CLIError("--duration must be greater than or equal to 0")
    if seconds != int(seconds):
        raise CLIError("--duration cannot be expressed in units less than seconds")
    if any(a == "" for a in o.audience):
        raise CLIError("--audience must not be an empty string")
    if not o.bound_object_kind:
        if o.bound_object_name:
            raise CLIError("--bound-object-name can only be set if --bound-object-kind is provided")
        if o.bound_object_uid:
            raise CLIError("--bound-object-uid can only be set if --bound-object-kind is provided")
    else:
        if o.bound_object_kind not in _BOUND_KINDS:
            raise CLIError(f"supported --bound-object-kind values are {', '.join(sorted(_BOUND_KINDS))}")
        if not o.bound_object_name:
            raise CLIError("--bound-object-name is required if --bound-object-kind is provided")
    spec: dict = {}
    if o.audience:
        spec["audiences"] = list(o.audience)
    if seconds > 0:
        spec["expirationSeconds"] = int(seconds)
    if o.bound_object_kind:
        spec["boundObjectRef"] = {"kind": o.bound_object_kind, "apiVersion": _BOUND_KINDS[o.bound_object_kind],
                                  "name": o.bound_object_name, "uid": o.bound_object_uid or ""}
    request = {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": {"name": name},
               "spec": spec}
    from pykubectl.api.errors import StatusError
    try:
        res, _warns = client.create(client.resolve("serviceaccounts"), request, client.namespace,
                                    subresource="token")
    except StatusError as e:
        raise CLIError(f"failed to create token: {e.message}") from None
    token = (res.get("status") or {}).get("token")
    if not token:
        raise CLIError("failed to create token: no token in server response")
    if output:
        _print(res, output, "", ordered=False)
    else:
        sys.stdout.write(token + "\n" if sys.stdout.isatty() else token)


def _output_mode(output):
    if output not in (None, "", "yaml", "json", "name"):
        raise CLIError(f'unable to match a printer suitable for the output format "{output}", allowed formats '
                       f'are: json,jsonpath,jsonpath-as-json,jsonpath-file,name,go-template,go-template-file,'
                       f'template,templatefile,yaml')
    return output or ""


def _print(obj: dict, output: str, dry: str, ordered: bool) -> None:
    """kubectl's printer for a created object; `ordered` objects (built here, never sent) keep their
    Go field order in JSON, as kubectl prints a typed object."""
    from pykubectl.cli.apply import suffix
    from pykubectl.printers import output as P
    if output == "yaml":
        sys.stdout.write(P.to_yaml(obj))
    elif output == "json":
        if ordered:
            from pykubectl.cli.generators import go_json
            sys.stdout.write(go_json(obj, indent=4) + "\n")
        else:
            sys.stdout.write(P.to_json(obj))
    else:
        api_version = obj.get("apiVersion", "")
        group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
        kind = obj.get("kind", "").lower()
        what = f"{kind}.{group}" if group else kind
        name = obj["metadata"]["name"]
        if output == "name":
            sys.stdout.write(f"{what}/{name}\n")
        else:
            sys.stdout.write(f"{what}/{name} created{suffix(dry)}\n")


def _run_files(g, o):
    from pykubectl.cli.apply import dry_run_mode, validate_mode
    from pykubectl.cli.context import client as make_client
    if not o.filename:
        raise CLIError("must specify one of -f and -k")
    output = _output_mode(o.output)
    mode = validate_mode(o.validate)
    dry = dry_run_mode(o.dry_run)
    client = make_client(g)
    failed = []
    with client.batch():
        _create_each(client, o, g, mode, dry, output, failed)
    from pykubectl.cli.errors import report
    report(failed, sys.stderr)


def _create_each(client, o, g, mode, dry, output, failed):
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.apply import (_annotated, kind_name, print_warnings, read_manifests, resolve_manifest_kind,
                                     suffix, target_namespace)
    for obj, dupes, src in read_manifests(o.filename, o.recursive, validate=mode != "Ignore"):
        kind = resolve_manifest_kind(client, obj, src)
        ns = target_namespace(kind, obj, g.namespace, client.namespace)
        if o.save_config:
            obj, _ = _annotated(obj, ns if kind.namespaced else None)
        res = obj
        if dry != "client":
            try:
                res, warns = client.create(kind, obj, ns, dry_run=(dry == "server"), field_validation=mode,
                                           field_manager=o.field_manager, duplicates=dupes)
            except StatusError as e:
                e.message = f'error when creating "{src}": {e.message}'
                failed.append(e)
                continue
            print_warnings(warns, sys.stderr)
        if output:
            _print(res, output, dry, ordered=False)
        else:
            name = (res.get("metadata") or {}).get("name") or ""
            sys.stdout.write(f"{kind_name(kind)}/{name} created{suffix(dry)}\n")


class _Generate:
    """One generator run: complete (namespace, client) -> build -> create unless client dry-run -> print."""

    def __init__(self, g, o, sub, name, command):
        from pykubectl.cli.apply import dry_run_mode, validate_mode
        self.g, self.o, self.sub, self.name, self.command = g, o, sub, name, command
        self.output = _output_mode(o.output)
        self.dry = dry_run_mode(o.dry_run)
        self.mode = validate_mode(o.validate)
        self._client = None

    @property
    def client(self):
        if self._client is None:
            from pykubectl.cli.context import client as make_client
            self._client = make_client(self.g)
        return self._client

    @property
    def namespace(self) -> str:
        return self.client.namespace

    @property
    def enforced_ns(self) -> str | None:
        # kubectl writes metadata.namespace only when -n was given
        return self.g.namespace or None

    def run(self):
        from pykubectl.cli import generators as G
        try:
            obj = getattr(self, "_" + self.sub.replace(" ", "_").replace("-", "_"))()
        except G.GeneratorError as e:
            raise CLIError(str(e)) from None
        if self.o.save_config:
            obj = G.with_annotation(obj, "kubectl.kubernetes.io/last-applied-configuration", G.last_applied(obj))
        if self.dry == "client":
            _print(obj, self.output, self.dry, ordered=True)
            return
        from pykubectl.api.errors import StatusError
        from pykubectl.cli.apply import print_warnings
        kind = self.client.for_gvk(obj["apiVersion"], obj["kind"])
        ns = self.namespace if kind.namespaced else None
        try:
            res, warns = self.client.create(kind, obj, ns, dry_run=(self.dry == "server"),
                                            field_validation=self.mode, field_manager=self.o.field_manager)
        except StatusError as e:
            prefix = _FAILED.get(self.sub.split(" ")[0])
            if prefix is None:
                raise
            if self.sub.startswith("service "):
                prefix = f"failed to create {obj['spec']['type']} service: "
            raise CLIError(prefix + e.message) from None
        print_warnings(warns, sys.stderr)
        _print(res, self.output, self.dry, ordered=False)

    # ------------------------------------------------------------ simple kinds

    def _namespace(self):
        from pykubectl.cli.generators import namespace
        return namespace(self.name)

    def _serviceaccount(self):
        from pykubectl.cli.generators import serviceaccount
        return serviceaccount(self.name, self.enforced_ns)

    def _priorityclass(self):
        from pykubectl.cli.generators import priorityclass
        o = self.o
        return priorityclass(self.name, o.value, o.global_default, o.description or "", o.preemption_policy)

    def _quota(self):
        from pykubectl.cli.generators import quota
        return quota(self.name, self.enforced_ns, self.o.hard or "", self.o.scopes or "")

    def _poddisruptionbudget(self):
        from pykubectl.cli.generators import poddisruptionbudget
        o = self.o
        return poddisruptionbudget(self.name, self.enforced_ns, o.selector or "", o.min_available or "",
                                   o.max_unavailable or "")

    def _ingress(self):
        from pykubectl.cli.generators import ingress
        o = self.o
        return ingress(self.name, self.enforced_ns, o.rule, o["class"] or "", o.default_backend or "", o.annotation)

    # ------------------------------------------------------------ workloads

    def _deployment(self):
        from pykubectl.cli.generators import deployment
        images = [i for img in self.o.image for i in img.split(",")]
        return deployment(self.name, self.enforced_ns, images, self.o.replicas, self.o.port, self.command)

    def _job(self):
        from pykubectl.cli.generators import job, job_from_cronjob
        o = self.o
        image = o.image[-1] if o.image else ""
        if bool(image) == bool(o["from"]):
            raise CLIError("either --image or --from must be specified")
        if self.command and o["from"]:
            raise CLIError("cannot specify --from and command")
        if image:
            return job(self.name, self.enforced_ns, image, self.command)
        typ, slash, cj_name = o["from"].partition("/")
        if not slash or not cj_name:
            raise CLIError("from must be an existing cronjob: resource(s) were provided, but no name was specified")
        kind = self.client.resolve(typ)
        cj = self.client.get(kind, self.namespace if kind.namespaced else None, cj_name)
        if kind.kind != "CronJob":
            raise CLIError(f"unknown object type *{kind.version}.{kind.kind}")
        return job_from_cronjob(self.name, self.enforced_ns, cj)

    def _cronjob(self):
        from pykubectl.cli.generators import cronjob
        o = self.o
        return cronjob(self.name, self.enforced_ns, o.image[-1], o.schedule, o.restart or "", self.command)

    # ------------------------------------------------------------ services

    def _service(self, service_type):
        from pykubectl.cli.generators import service
        o = self.o
        return service(self.name, self.enforced_ns, service_type, o.tcp, o.clusterip or "", o.node_port,
                       o.external_name or "")

    def _service_clusterip(self):
        return self._service("ClusterIP")

    def _service_nodeport(self):
        return self._service("NodePort")

    def _service_loadbalancer(self):
        return self._service("LoadBalancer")

    def _service_externalname(self):
        return self._service("ExternalName")

    # ------------------------------------------------------------ configmaps and secrets

    def _sources(self) -> list[tuple[str, bytes]]:
        """--from-file, --from-literal, --from-env-file, read in kubectl's order."""
        import os
        from pykubectl.cli.generators import parse_env_file, parse_file_source, parse_literal_source
        o = self.o
        if o.from_env_file and (o.from_file or o.from_literal):
            raise CLIError("from-env-file cannot be combined with from-file or from-literal")
        items: list[tuple[str, bytes | str]] = []
        for spec in o.from_file:
            key, path = parse_file_source(spec)
            if os.path.isdir(path):
                if key:
                    raise CLIError("cannot give a key name for a directory path")
                for entry in sorted(os.scandir(path), key=lambda e: e.name):
                    if entry.is_file(follow_symlinks=False):
                        items.append((entry.name, _read(entry.path)))
            else:
                items.append((key or os.path.basename(path.rstrip("/")) or path, _read(path)))
        for lit in o.from_literal:
            items.append(parse_literal_source(lit))
        for path in o.from_env_file:
            if os.path.isdir(path):
                what = "config" if self.sub == "configmap" else "secret"
                raise CLIError(f"env {what} file cannot be a directory")
            items.extend(parse_env_file(_read(path), path, os.environ.get))
        return items

    def _configmap(self):
        from pykubectl.cli.generators import configmap
        return configmap(self.name, self.enforced_ns, self._sources(), self.o.append_hash)

    def _secret_generic(self):
        from pykubectl.cli.generators import secret
        return secret(self.name, self.enforced_ns, self._sources(), self.o.type or "", self.o.append_hash)

    def _secret_tls(self):
        from pykubectl.cli.generators import TLS_TYPE, check_tls_pair, secret
        o = self.o
        if not o.key or not o.cert:
            raise CLIError("key and cert must be specified")
        cert = _read(o.cert, "Cannot read file {path}, open {path}: {why}")
        key = _read(o.key, "Cannot read file {path}, open {path}: {why}")
        check_tls_pair(cert, key)
        return secret(self.name, self.enforced_ns, [("tls.crt", cert), ("tls.key", key)], TLS_TYPE,
                      o.append_hash)

    def _secret_docker_registry(self):
        from pykubectl.cli.generators import DOCKER_CONFIG_JSON_TYPE, docker_config_json, secret
        o = self.o
        if not o.from_file and not (o.docker_username and o.docker_password and o.docker_server):
            raise CLIError("either --from-file or the combination of --docker-username, --docker-password "
                           "and --docker-server is required")
        if o.from_file:
            items = self._sources()
        else:
            items = [(".dockerconfigjson", docker_config_json(o.docker_username, o.docker_password,
                                                              o.docker_email or "", o.docker_server))]
        return secret(self.name, self.enforced_ns, items, DOCKER_CONFIG_JSON_TYPE, o.append_hash)

    # ------------------------------------------------------------ RBAC

    def _resolved_rules(self, verbs, resource_names, non_resource_urls, validate=True):
        """Resources resolved as kubectl's RESTMapper.ResourceFor does, validated, as policy rules."""
        from pykubectl.cli.generators import check_special_verbs, parse_resources, policy_rules
        resolved = []
        for resource, group, sub in parse_resources(self.o.resource):
            if validate and not resource:
                raise CLIError("resource must be specified if apiGroup/subresource specified")
            if resource == "*":
                validate = False     # kubectl stops checking at the first `*`
            found = self._resource_for(resource, group)
            plural, grp = found if found else (resource, group)
            if validate:
                check_special_verbs(verbs, plural, grp)
                if found is None and not _special_match(verbs, plural, grp):
                    raise CLIError(f'the server doesn\'t have a resource type "{resource}"')
            resolved.append((plural, grp, sub))
        return policy_rules(verbs, resolved, resource_names, non_resource_urls)

    def _resource_for(self, resource, group):
        if resource == "*":
            return None
        try:
            kind = self.client.resolve(f"{resource}.{group}" if group else resource)
        except Exception as e:  # UnknownResource / NoKindMatch: kubectl keeps the name as typed
            if type(e).__name__ in ("UnknownResource", "NoKindMatch"):
                return None
            raise
        return kind.plural, kind.group

    def _verbs_and_names(self):
        from pykubectl.cli.generators import unique_verbs
        names: list[str] = []
        for n in self.o.resource_name:
            if n not in names:
                names.append(n)
        return unique_verbs(self.o.verb), names

    def _role(self):
        from pykubectl.cli.generators import VALID_RESOURCE_VERBS, role
        verbs, names = self._verbs_and_names()
        if not verbs:
            raise CLIError("at least one verb must be specified")
        for v in verbs:
            if v not in VALID_RESOURCE_VERBS:
                sys.stderr.write(f"Warning: '{v}' is not a standard resource verb\n")
        if not self.o.resource:
            raise CLIError("at least one resource must be specified")
        return role(self.name, self.enforced_ns, self._resolved_rules(verbs, names, []))

    def _clusterrole(self):
        from pykubectl.cli.generators import VALID_RESOURCE_VERBS, check_non_resource_urls, clusterrole
        o = self.o
        verbs, names = self._verbs_and_names()
        urls = list(o.non_resource_url)
        if o.aggregation_rule:
            if urls or verbs or o.resource or names:
                raise CLIError("aggregation rule must be specified without nonResourceURLs, verbs, resources "
                               "or resourceNames")
            agg = {}
            for term in o.aggregation_rule:
                k, eq, v = term.partition("=")
                if not eq:
                    raise CLIError(f'invalid argument "{term}" for "--aggregation-rule" flag: {term} must be '
                                   f'formatted as key=value')
                agg[k] = v
            return clusterrole(self.name, None, agg)
        if not verbs:
            raise CLIError("at least one verb must be specified")
        if not o.resource and not urls:
            raise CLIError("one of resource or nonResourceURL must be specified")
        if o.resource:
            for v in verbs:
                if v not in VALID_RESOURCE_VERBS:
                    sys.stderr.write(f"Warning: '{v}' is not a standard resource verb\n")
        if urls:
            check_non_resource_urls(verbs, urls)
        return clusterrole(self.name, self._resolved_rules(verbs, names, urls))

    def _users(self) -> list[str]:
        # `--user` is also a global flag (the kubeconfig user), which cli/main.py takes first; here,
        # as in kubectl, the subcommand's own flag wins (only the last --user survives that split)
        users = list(self.o.user)
        if self.g.user:
            users.append(self.g.user)
            self.g.user = None
        return users

    def _rolebinding(self):
        from pykubectl.cli.generators import rolebinding, subjects
        o = self.o
        if bool(o.clusterrole) == bool(o.role):
            raise CLIError("exactly one of clusterrole or role must be specified")
        ref = ("ClusterRole", o.clusterrole) if o.clusterrole else ("Role", o.role)
        return rolebinding(self.name, self.enforced_ns, *ref, subjects(self._users(), o.group, o.serviceaccount))

    def _clusterrolebinding(self):
        from pykubectl.cli.generators import rolebinding, subjects
        o = self.o
        return rolebinding(self.name, None, "ClusterRole", o.clusterrole,
                           subjects(self._users(), o.group, o.serviceaccount), cluster=True)


def _special_match(verbs, resource, group) -> bool:
    from pykubectl.cli.generators import SPECIAL_VERBS
    return any((group, resource) in SPECIAL_VERBS.get(v, ()) for v in verbs)


def _read(path: str, fmt: str = "error reading {path}: {why}") -> bytes:
    """A file's bytes; errors in Go's words (`no such file or directory`)."""
    import os
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        why = os.strerror(e.errno) if e.errno else str(e)
        raise CLIError(fmt.format(path=path, why=why[:1].lower() + why[1:])) from None


def help_for(args) -> str | None:
    """`create SUB [TYPE] --help`: kubectl's help for the generator (its options limited to
    what pykubectl parses); `create --help` otherwise."""
    from pykubectl.cli import subhelp
    pos = [a for a in args if not a.startswith("-")]
    if not pos:
        return None
    head = _ALIASES.get(pos[0], pos[0])
    if head in _GROUPS:
        sub = f"{head} {pos[1]}" if len(pos) > 1 and pos[1] in _GROUPS[head] else head
    elif head in _SUB:
        sub = head
    else:
        return None
    if sub not in _SUB:
        return subhelp.text(f"create {sub}")
    own = set(_SUB[sub][0])
    common = {"output"} if sub == "token" else _COMMON_DESTS
    names = {f.name for f in FLAGS if f.dest in own | common}
    return subhelp.text(f"create {sub}", names)

