"""Training losses: reconstruction (pyramid perceptual or L1+SSIM), equivariance, flow,
keypoint separation, GAN."""
