"""Exercises 11 and 12 (manifests 28-30), as a learner types them: the nfs-client class
provisions a volume for nfs-pvc at once (reclaim Delete) whose directory is on the NFS export;
a Recycle volume goes Released when its claim is deleted, a recycler pod scrubs it and it is
Available again; Retain keeps a volume Released."""
import importlib.util


from tests.conftest import manifest

PV_HEAD = ("NAME                                       CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM"
           "             STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE\n")


def uid_of(kube, res, name):
    r = kube("get", res, name, "-o", "jsonpath={.metadata.uid}")
    assert r.code == 0, r.err
    return r.out


def test_dynamic_provisioning_nfs_pvc(kube):
    r = kube("apply", "-f", manifest("28-pvc-nfs.yaml"))
    assert r.out == "persistentvolumeclaim/nfs-pvc created\n", r.err
    pv = "pvc-" + uid_of(kube, "pvc", "nfs-pvc")
    assert kube("get", "pvc").out == (
        "NAME      STATUS   VOLUME                                     CAPACITY   ACCESS MODES   STORAGECLASS"
        "   VOLUMEATTRIBUTESCLASS   AGE\n"
        f"nfs-pvc   Bound    {pv}   1G         RWO            nfs-client     <unset>                 0s\n")
    assert kube("get", "pv").out == PV_HEAD + (
        f"{pv}   1G         RWO            Delete           Bound    default/nfs-pvc   nfs-client"
        "     <unset>                          0s\n")
    assert kube("get", "pv", pv, "-o", "jsonpath={.spec.nfs}").out == (
        f'{{"path":"/nfs-share/default-nfs-pvc-{pv}","server":"192.168.0.100"}}')
    r = kube("get", "events", "--field-selector", "involvedObject.name=nfs-pvc", "-o",
             "custom-columns=REASON:.reason", "--no-headers")
    assert r.out.split() == ["ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"]

    assert kube("apply", "-f", manifest("29-pod-hostpath1.yaml")).out == "pod/pod-hostpath1 created\n"
    kube("sim", "advance", "3s", check=True)
    line = kube("get", "pod", "pod-hostpath1", "-o", "wide", "--no-headers").out.split()
    assert (line[2], line[6]) == ("Running", "worker-1")

    # the claim is in use: deleting it leaves it Terminating until the pod goes, then its
    # volume (reclaim Delete) goes too
    assert kube("delete", "pvc", "nfs-pvc", "--wait=false").out == 'persistentvolumeclaim "nfs-pvc" deleted\n'
    assert kube("get", "pvc", "--no-headers").out.split()[:2] == ["nfs-pvc", "Terminating"]
    kube("delete", "pod", "pod-hostpath1", check=True)
    assert kube("get", "pvc,pv").err == "No resources found\n"


def test_a_file_touched_in_the_pod_shows_up_on_the_nfs_export(kube):
    # the seams this needs from the kubelet issue: `sim ssh`, and the container filesystem
    # following claim / nfs mounts through storage.mounts.volume_location
    import inspect

    from pykubectl.runtime import fs
    assert importlib.util.find_spec("pykubectl.cli.exec_") and kube("sim", "ssh", "--help").code == 0
    assert "volume_location" in inspect.getsource(fs)
    kube("apply", "-f", manifest("28-pvc-nfs.yaml"), check=True)
    kube("apply", "-f", manifest("29-pod-hostpath1.yaml"), check=True)
    kube("sim", "advance", "3s", check=True)
    pv = "pvc-" + uid_of(kube, "pvc", "nfs-pvc")
    kube("exec", "pod-hostpath1", "--", "touch", "/mount1/file-from-pod", check=True)
    r = kube("sim", "ssh", "k8s-master", "--", "ls", f"/nfs-share/default-nfs-pvc-{pv}")
    assert r.out == "file-from-pod\n", r.err


def pv_line(kube, name="pv-recycle1"):
    r = kube("get", "pv", name, "--no-headers")
    assert r.code == 0, r.err
    return r.out.split()


def test_recycle(kube):
    r = kube("apply", "-f", manifest("30-pv-pvc-recycle1.yaml"))
    assert r.out == "persistentvolume/pv-recycle1 created\npersistentvolumeclaim/pvc-recycle1 created\n", r.err
    assert pv_line(kube)[:6] == ["pv-recycle1", "3G", "RWO", "Recycle", "Bound", "default/pvc-recycle1"]
    assert kube("get", "pvc", "pvc-recycle1", "--no-headers").out.split()[:6] == [
        "pvc-recycle1", "Bound", "pv-recycle1", "3G", "RWO", "<unset>"]

    assert kube("delete", "pvc", "pvc-recycle1").out == 'persistentvolumeclaim "pvc-recycle1" deleted\n'
    assert pv_line(kube)[4:6] == ["Released", "default/pvc-recycle1"]
    assert kube("get", "pods", "--no-headers").out.split()[:3] == ["recycler-for-pv-recycle1", "0/1", "ContainerCreating"]

    kube("sim", "advance", "3s", check=True)
    assert pv_line(kube)[3:5] == ["Recycle", "Available"]
    assert kube("get", "pods").err == "No resources found in default namespace.\n"
    r = kube("get", "events", "--field-selector", "involvedObject.name=pv-recycle1", "-o",
             "custom-columns=REASON:.reason,MESSAGE:.message", "--no-headers")
    lines = r.out.splitlines()
    assert lines[0].split(None, 1) == ["RecyclerPod", "Recycler pod: Successfully assigned default/recycler-for-pv-recycle1 to "
                                       + lines[0].rsplit(" ", 1)[1]]
    assert lines[-1].split(None, 1) == ["VolumeRecycled", "Volume recycled"]


def test_retain_stays_released(kube):
    kube("apply", "-f", manifest("30-pv-pvc-recycle1.yaml"), check=True)
    kube("patch", "pv", "pv-recycle1", "-p", '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}', check=True)
    kube("delete", "pvc", "pvc-recycle1", check=True)
    kube("sim", "advance", "30s", check=True)
    assert pv_line(kube)[3:6] == ["Retain", "Released", "default/pvc-recycle1"]
    assert kube("get", "pods").err == "No resources found in default namespace.\n"


def test_statefulset_claims_bind_per_ordinal_and_survive_scale_down(kube):
    kube("apply", "-f", manifest("37-statefulset-pvc.yaml"), check=True)
    kube("sim", "advance", "3s", check=True)
    kube("scale", "statefulset", "stateful-pvc", "--replicas=2", check=True)
    kube("sim", "advance", "3s", check=True)

    def claims():
        r = kube("get", "pvc", "--no-headers")
        return {f[0]: (f[1], f[2].startswith("pvc-"), f[5]) for f in map(str.split, r.out.splitlines())}
    bound = {"volume-stateful-pvc-0": ("Bound", True, "nfs-client"), "volume-stateful-pvc-1": ("Bound", True, "nfs-client")}
    assert claims() == bound
    kube("scale", "statefulset", "stateful-pvc", "--replicas=0", check=True)
    kube("sim", "advance", "30s", check=True)
    assert kube("get", "pods").err == "No resources found in default namespace.\n"
    assert claims() == bound
