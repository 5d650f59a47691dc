# The image (docs/image.md): `make image` builds localhost/kinit:dev from
# Dockerfile (Debian) with podman, or docker. KINIT_IMAGE_BOOTSTRAP=1
# bootstraps its Debian base with mmdebstrap when no registry is reachable.
.PHONY: image
image: kafka apicurio jolokia
	scripts/image.sh
