package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// buildImages makes the two images the nodes need, as archives for
// `ctr images import`: the sandbox (kube/pause in an image of one file) and
// kinit's own, built by scripts/image.sh and saved from podman.
func (c *cluster) buildImages(ctx context.Context) error {
	dir := c.path("images")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pause := filepath.Join(dir, "pause")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", pause, "./kube/pause")
	build.Dir = c.root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the pause binary: %w: %s", err, out)
	}
	if err := writeOneFileImage(filepath.Join(dir, "pause.tar"), pauseImage, pause, "/pause"); err != nil {
		return err
	}
	_, err := c.saveKinitImage(ctx)
	return err
}

// saveKinitImage builds kinit's image (cached by podman's layers) and saves
// it for import; it reports whether it differs from the one saved before.
func (c *cluster) saveKinitImage(ctx context.Context) (bool, error) {
	script := exec.CommandContext(ctx, filepath.Join(c.root, "scripts", "image.sh"))
	script.Dir = c.root
	script.Env = append(os.Environ(), "KINIT_IMAGE_BOOTSTRAP=1")
	if out, err := script.CombinedOutput(); err != nil {
		return false, fmt.Errorf("scripts/image.sh: %w: %s", err, out)
	}
	id, err := run(ctx, "podman", "image", "inspect", "--format", "{{.Id}}", kinitImage)
	if err != nil {
		return false, err
	}
	idFile := c.path("images", "kinit.id")
	if old, _ := os.ReadFile(idFile); string(old) == id {
		return false, nil
	}
	tar := c.path("images", "kinit.tar")
	_ = os.Remove(tar)
	if _, err := run(ctx, "podman", "save", "--format", "docker-archive", "-o", tar, kinitImage); err != nil {
		return false, err
	}
	return true, os.WriteFile(idFile, []byte(id), 0o644)
}

// refreshKinitImage re-imports kinit's image into every node when it
// changed since up, so tests on a running cluster run the current code.
func (c *cluster) refreshKinitImage(ctx context.Context) error {
	changed, err := c.saveKinitImage(ctx)
	if err != nil || !changed {
		return err
	}
	for _, n := range c.nodes {
		if _, err := n.ctr(ctx, "-n", "k8s.io", "images", "import", c.path("images", "kinit.tar")); err != nil {
			return err
		}
	}
	fmt.Println("kube: imported the rebuilt", kinitImage)
	return nil
}

// writeOneFileImage writes an OCI image layout archive holding one
// executable as the image's entrypoint.
func writeOneFileImage(out, name, src, dst string) error {
	exe, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	if err := tw.WriteHeader(&tar.Header{Name: strings.TrimPrefix(dst, "/"), Mode: 0o755, Size: int64(len(exe)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := tw.Write(exe); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	blobs := map[string][]byte{}
	add := func(data []byte) (string, int) {
		d := fmt.Sprintf("sha256:%x", sha256.Sum256(data))
		blobs[d] = data
		return d, len(data)
	}
	layerDigest, layerSize := add(layer.Bytes())
	config, _ := json.Marshal(map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"config":       map[string]any{"Entrypoint": []string{dst}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{layerDigest}},
	})
	configDigest, configSize := add(config)
	manifest, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": configDigest, "size": configSize},
		"layers":        []any{map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layerDigest, "size": layerSize}},
	})
	manifestDigest, manifestSize := add(manifest)
	index, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"manifests": []any{map[string]any{
			"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifestDigest, "size": manifestSize,
			"platform":    map[string]string{"architecture": "amd64", "os": "linux"},
			"annotations": map[string]string{"io.containerd.image.name": name, "org.opencontainers.image.ref.name": name[strings.LastIndex(name, ":")+1:]},
		}},
	})
	var archive bytes.Buffer
	aw := tar.NewWriter(&archive)
	put := func(path string, data []byte) error {
		if err := aw.WriteHeader(&tar.Header{Name: path, Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err := aw.Write(data)
		return err
	}
	if err := put("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)); err != nil {
		return err
	}
	if err := put("index.json", index); err != nil {
		return err
	}
	for d, data := range blobs {
		if err := put("blobs/sha256/"+strings.TrimPrefix(d, "sha256:"), data); err != nil {
			return err
		}
	}
	if err := aw.Close(); err != nil {
		return err
	}
	return os.WriteFile(out, archive.Bytes(), 0o644)
}
