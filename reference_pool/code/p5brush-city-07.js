// A city skyline at night, but drawn tiny and pushed into the bottom-left corner of an empty page.
function setup() {
  createCanvas(512, 512, WEBGL);
  background('#f6f1e8');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.15);
  brush.fillTexture(0.3, 0.3);
  // small night sky patch
  brush.fill('#2a3a6e', 200);
  brush.rect(-256, 150, 120, 106);
  // little buildings
  brush.fill('#141c38', 230);
  let b = [[-256, 18, 40], [-236, 14, 70], [-220, 20, 50], [-198, 12, 85], [-184, 22, 45], [-160, 16, 60]];
  for (let t of b) brush.rect(t[0], 256 - t[2], t[1], t[2]);
  brush.noFill();
  brush.wash('#f6c453', 230);
  for (let i = 0; i < 12; i++) brush.rect(random(-250, -150), random(190, 245), 2, 3);
  brush.noWash();
  // a moon far away
  brush.set('pen', '#b0a890', 1);
  brush.circle(-150, 165, 5);
}
