// Desert mesas at midday: umber and sienna buttes over ochre sand, a pale sky, sepia pencil strata lines.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f5eee2');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  // sky
  brush.fill('#e9d8bd', 200);
  brush.fillBleed(0.2);
  brush.fillTexture(0.4, 0.3);
  brush.rect(-256, -256, 512, 260);
  // far mesa
  brush.fill('#c49a74', 220);
  brush.fillBleed(0.15);
  brush.fillTexture(0.5, 0.5);
  brush.polygon([[-256, 20], [-230, -40], [-140, -45], [-120, 20]]);
  brush.polygon([[150, 20], [170, -30], [256, -35], [256, 20]]);
  // main butte
  brush.wash('#8b5a3c', 160);
  brush.polygon([[-130, 40], [-110, -20], [-96, -30], [-92, -100], [-72, -128], [-20, -122], [38, -130], [58, -104], [62, -40], [80, -28], [100, 40]]);
  brush.noWash();
  brush.fill('#7a4a2e', 220);
  brush.fillBleed(0.12);
  brush.fillTexture(0.6, 0.6);
  brush.polygon([[-130, 40], [-110, -20], [-96, -30], [-92, -100], [-72, -128], [-20, -122], [38, -130], [58, -104], [62, -40], [80, -28], [100, 40]]);
  // shadow side
  brush.fill('#5a3320', 190);
  brush.fillBleed(0.1);
  brush.polygon([[20, -130], [40, -130], [60, -110], [90, 40], [30, 40]]);
  // sand dunes foreground
  brush.fill('#d8a865', 230);
  brush.fillBleed(0.2);
  brush.beginShape(0.6);
  brush.vertex(-256, 30); brush.vertex(-100, 20); brush.vertex(60, 40); brush.vertex(256, 25); brush.vertex(256, 256); brush.vertex(-256, 256);
  brush.endShape(true);
  brush.fill('#c08447', 200);
  brush.beginShape(0.7);
  brush.vertex(-256, 150); brush.vertex(-80, 110); brush.vertex(120, 160); brush.vertex(256, 130); brush.vertex(256, 256); brush.vertex(-256, 256);
  brush.endShape(true);

  // strata lines
  brush.set('HB', '#4a2a18', 0.7);
  brush.noFill();
  for (let y = -100; y < 30; y += 26) {
    const pts = [];
    for (let x = -85 - (y + 100) * 0.15; x < 55; x += 20) pts.push([x, y + random(-3, 3)]);
    brush.spline(pts, 0.5);
  }
  // a few scrub bushes
  brush.noStroke();
  brush.wash('#6b6a3e', 170);
  for (let i = 0; i < 7; i++) {
    const x = random(-230, 230), y = random(70, 220);
    brush.circle(x, y, random(4, 8), 0.8);
  }
  brush.noWash();
}
