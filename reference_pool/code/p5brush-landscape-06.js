// A golden wheat field under a wide summer sky with soft clouds, a lone tree on the right and a few red poppies.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f7f1e1');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // sky: blue wash with paper left for clouds
  brush.fill('#8fb8da', 230);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.3);
  brush.rect(-256, -256, 512, 130);
  brush.fill('#a9c9e3', 200);
  brush.rect(-256, -140, 512, 110);

  // field
  brush.fill('#e9c45a', 250);
  brush.fillBleed(0.2);
  brush.polygon([[-280, -20], [280, -35], [280, 280], [-280, 280]]);
  brush.fill('#d9a43a', 240);
  brush.polygon([[-280, 70], [280, 40], [280, 280], [-280, 280]]);
  brush.fill('#c0842a', 200);
  brush.polygon([[-280, 190], [280, 170], [280, 280], [-280, 280]]);

  // lone tree
  brush.set('2B', '#4a3320', 1.5);
  brush.line(150, -25, 152, -90);
  brush.noStroke();
  brush.fill('#587a3a', 250);
  brush.fillBleed(0.2);
  brush.circle(150, -110, 38);
  brush.fill('#3e5c2b', 230);
  brush.circle(165, -100, 24);

  // wheat strokes
  brush.set('HB', '#9a6a22', 1);
  for (let i = 0; i < 40; i++) {
    const x = random(-250, 250);
    const y = random(60, 250);
    brush.line(x, y, x + random(-4, 4), y - random(12, 26));
  }
  // poppies
  brush.noStroke();
  brush.fill('#d8322a', 255);
  brush.fillBleed(0.1);
  for (let i = 0; i < 9; i++) brush.circle(random(-240, 60), random(120, 240), random(4, 8));
}
