// Brown sandstone mesas in a dry canyon under a pale turquoise sky, striped rock bands and a dusty plain.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f5ede1');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fill('#b9d3d6', 230);
  brush.fillBleed(0.3);
  brush.rect(-256, -256, 512, 280);

  // two mesas with banded rock
  const mesas = [[-140, -70, 110], [130, -20, 140]];
  const bands = ['#a4653a', '#8e5230', '#b77448', '#7a4226'];
  for (const [cx, top, w] of mesas) {
    const h = 100 - top;
    for (let b = 0; b < 4; b++) {
      const y0 = top + b * h / 4, y1 = top + (b + 1) * h / 4;
      const t0 = b / 4, t1 = (b + 1) / 4;
      brush.fill(bands[b], 250);
      brush.fillBleed(0.05);
      brush.fillTexture(0.5, 0.4, false);
      brush.polygon([[cx - w * (0.6 + 0.4 * t0), y0], [cx + w * (0.6 + 0.4 * t0), y0], [cx + w * (0.6 + 0.4 * t1), y1], [cx - w * (0.6 + 0.4 * t1), y1]]);
    }
    // shadowed right face
    brush.fill('#5c3019', 180);
    brush.polygon([[cx + w * 0.25, top], [cx + w * 0.6, top], [cx + w, 100], [cx + w * 0.45, 100]]);
  }
  // plain
  brush.fill('#cf9f6c', 245);
  brush.fillBleed(0.15);
  brush.fillTexture(0.4, 0.3, false);
  brush.rect(-256, 95, 512, 170);
  brush.fill('#9c6a40', 220);
  brush.polygon([[-280, 200], [0, 175], [280, 215], [280, 280], [-280, 280]]);
  // scrub bushes
  for (let i = 0; i < 10; i++) {
    brush.fill('#6b6a3a', 250);
    brush.fillBleed(0.08);
    brush.circle(random(-240, 240), random(125, 235), random(5, 10));
  }
}
