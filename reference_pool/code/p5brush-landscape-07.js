// Orange desert dunes at late afternoon, sunlit crests against deep terracotta shadows under a pale yellow sky.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f8efdc');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fill('#f6dfa4', 230);
  brush.fillBleed(0.3);
  brush.rect(-256, -256, 512, 240);
  brush.fill('#f4f0e0', 255);
  brush.fillBleed(0.1);
  brush.circle(-130, -150, 26);

  // dunes: light face then shadow face
  const dunes = [
    [-60, 200, -20, '#f0b26a', '#d98a4a'],
    [80, 260, 40, '#ec9d52', '#c9673a'],
    [-150, 300, 110, '#e68a3f', '#b5522e'],
    [120, 340, 190, '#d9742f', '#9c4126'],
  ];
  for (const [cx, w, top, lit, shade] of dunes) {
    brush.fill(lit, 250);
    brush.fillBleed(0.15);
    brush.fillTexture(0.4, 0.3);
    brush.beginShape(0.7);
    brush.vertex(cx - w, top + 120);
    brush.vertex(cx - w * 0.3, top + 20);
    brush.vertex(cx, top);
    brush.vertex(cx + w * 0.5, top + 60);
    brush.vertex(cx + w, top + 130);
    brush.endShape(true);
    brush.fill(shade, 240);
    brush.beginShape(0.6);
    brush.vertex(cx, top);
    brush.vertex(cx + w * 0.5, top + 60);
    brush.vertex(cx + w, top + 130);
    brush.vertex(cx + w * 0.2, top + 130);
    brush.endShape(true);
  }

  // crest lines
  brush.set('HB', '#7a3a1e', 1);
  brush.noFill();
  brush.spline([[-260, 90], [-150, 105], [-60, -20], [40, 30], [150, 40]], 0.7);
  brush.spline([[-60, 200], [120, 190], [200, 240], [260, 300]], 0.7);
}
